/* qualcode transcript view: filter codings by code and status, search the text.  Plain
   JavaScript, no libraries, works from a folder (file://).  The marks themselves are placed by
   qualcode when it writes the page; this script only shows, hides and finds.

   The state lives in the address's fragment (#codes=a,b&status=accepted&q=word&coded=1), so a
   filtered view can be bookmarked, and it travels along the links between the pages. */
(function () {
  'use strict';
  var root = document.querySelector('.qcv.page');
  if (!root) { return; }
  var codeBoxes = Array.prototype.slice.call(root.querySelectorAll('input[data-code]'));
  var statusBoxes = Array.prototype.slice.call(root.querySelectorAll('input[data-status]'));
  var coded = document.getElementById('qcv-coded');
  var search = document.getElementById('qcv-q');
  var hitsOut = document.getElementById('qcv-hits');
  var marks = Array.prototype.slice.call(root.querySelectorAll('.m[data-k], .chip')).map(function (el) {
    var s = /(?:^| )s-(\w+)/.exec(el.className);
    return { el: el, code: el.getAttribute('data-code'), status: s ? s[1] : '' };
  });
  var pieces = Array.prototype.slice.call(root.querySelectorAll('.p'));
  var turns = Array.prototype.slice.call(root.querySelectorAll('.turn'));
  var rows = Array.prototype.slice.call(root.querySelectorAll('tr[data-counts]'));
  var links = Array.prototype.slice.call(root.querySelectorAll('a[data-keep]'));
  var hitSegs = [];
  var current = -1;

  function checkedValues(boxes, attr) {
    return boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.getAttribute(attr); });
  }

  function readHash() {
    var state = {};
    location.hash.replace(/^#/, '').split('&').forEach(function (part) {
      var i = part.indexOf('=');
      if (i > 0) { state[part.slice(0, i)] = decodeURIComponent(part.slice(i + 1)); }
    });
    return state;
  }

  function setBoxes(boxes, attr, value) {
    if (value === undefined) { return; }
    var wanted = value === '' ? [] : value.split(',');
    boxes.forEach(function (b) { b.checked = wanted.indexOf(b.getAttribute(attr)) >= 0; });
  }

  function hashOf() {
    var parts = [];
    var codes = checkedValues(codeBoxes, 'data-code');
    var statuses = checkedValues(statusBoxes, 'data-status');
    if (codes.length < codeBoxes.length) { parts.push('codes=' + codes.map(encodeURIComponent).join(',')); }
    if (statuses.length < statusBoxes.length) { parts.push('status=' + statuses.join(',')); }
    if (search && search.value) { parts.push('q=' + encodeURIComponent(search.value)); }
    if (coded && coded.checked) { parts.push('coded=1'); }
    return parts.length ? '#' + parts.join('&') : '';
  }

  function writeHash(toAddress) {
    var h = hashOf();
    if (toAddress) {   // not when the page opens: a link to a paragraph (#s123) must still scroll there
      try { history.replaceState(null, '', h || location.pathname + location.search); }
      catch (e) { location.hash = h; }
    }
    links.forEach(function (a) { a.setAttribute('href', a.getAttribute('data-keep') + h); });
  }

  function shownSets() {
    var codes = {}, statuses = {};
    checkedValues(codeBoxes, 'data-code').forEach(function (c) { codes[c] = true; });
    checkedValues(statusBoxes, 'data-status').forEach(function (s) { statuses[s] = true; });
    return { codes: codes, statuses: statuses, all: codeBoxes.every(function (b) { return b.checked; }) &&
             statusBoxes.every(function (b) { return b.checked; }) };
  }

  function applyMarks(shown) {
    marks.forEach(function (m) {
      m.el.classList.toggle('off', !(shown.codes[m.code] && shown.statuses[m.status]));
    });
    pieces.forEach(function (p) {   // a piece whose codings are all hidden is plain text again
      var quiet = !p.querySelector('.m:not(.off)') && p.classList.contains('off');
      p.classList.toggle('quiet', quiet);
      p.setAttribute('tabindex', quiet ? '-1' : '0');
    });
  }

  function findHits() {
    hitSegs = [];
    current = -1;
    var q = search ? search.value.trim() : '';
    var ranges = [];
    var pattern = q ? new RegExp(q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'giu') : null;
    root.querySelectorAll('.seg').forEach(function (seg) {
      var found = false;
      if (pattern) {
        var text = seg.textContent, m;
        pattern.lastIndex = 0;
        while ((m = pattern.exec(text)) !== null) {
          found = true;
          if (window.CSS && CSS.highlights) { ranges.push(rangeOf(seg, m.index, m.index + m[0].length)); }
          if (m[0].length === 0) { pattern.lastIndex++; }
        }
      }
      seg.classList.toggle('hit', found);
      if (found) { hitSegs.push(seg); }
    });
    if (window.CSS && CSS.highlights && window.Highlight) {
      CSS.highlights.set('qcv-search', new Highlight(...ranges.filter(Boolean)));
    }
    if (hitsOut) {
      var n = hitSegs.length;
      hitsOut.textContent = q ? hitsOut.getAttribute(n === 1 ? 'data-one' : 'data-many').replace('{n}', n) : '';
    }
    return q;
  }

  function rangeOf(seg, start, end) {
    // offsets of the match in seg.textContent -> a Range over the text nodes holding it
    var walker = document.createTreeWalker(seg, NodeFilter.SHOW_TEXT), node, pos = 0, range = document.createRange();
    var began = false;
    while ((node = walker.nextNode())) {
      var len = node.nodeValue.length;
      if (!began && start < pos + len) { range.setStart(node, start - pos); began = true; }
      if (began && end <= pos + len) { range.setEnd(node, end - pos); return range; }
      pos += len;
    }
    return null;
  }

  function applyTurns(q) {
    var onlyCoded = coded && coded.checked;
    var blocks = root.querySelectorAll('.text > h2, .text > .turn');
    var heading = null, headingShown = false;
    blocks.forEach(function (b) {
      if (b.tagName === 'H2') {
        if (heading) { heading.classList.toggle('hidden', !headingShown); }
        heading = b; headingShown = false;
        return;
      }
      var show = (!onlyCoded || b.querySelector('.m:not(.off)')) && (!q || b.querySelector('.seg.hit'));
      b.classList.toggle('hidden', !show);
      headingShown = headingShown || Boolean(show);
    });
    if (heading) { heading.classList.toggle('hidden', !headingShown); }
  }

  function applyRows(shown) {
    var q = search ? search.value.trim().toLowerCase() : '';
    var shownCount = 0;
    rows.forEach(function (row) {
      var counts = JSON.parse(row.getAttribute('data-counts'));
      var total = 0;
      row.querySelectorAll('td[data-status]').forEach(function (cell) {
        var status = cell.getAttribute('data-status'), n = 0;
        if (shown.statuses[status]) {
          Object.keys(counts).forEach(function (code) { if (shown.codes[code]) { n += counts[code][status] || 0; } });
        }
        cell.textContent = shown.statuses[status] ? String(n) : '–';
        total += n;
      });
      var text = row.getAttribute('data-text').toLowerCase();
      var show = (shown.all || total > 0) && (!q || text.indexOf(q) >= 0);
      row.classList.toggle('hidden', !show);
      if (show) { shownCount++; }
    });
    if (hitsOut) {
      hitsOut.textContent = (q || !shown.all) ? hitsOut.getAttribute(shownCount === 1 ? 'data-one' : 'data-many')
        .replace('{n}', shownCount) : '';
    }
  }

  function apply(event) {
    var shown = shownSets();
    if (rows.length) {
      applyRows(shown);
    } else {
      applyMarks(shown);
      applyTurns(findHits());
    }
    writeHash(Boolean(event));
  }

  function cascade(box) {   // a code's box sets the boxes of the codes below it
    var item = box.closest('li');
    if (!item) { return; }
    item.querySelectorAll('input[data-code]').forEach(function (b) { b.checked = box.checked; });
  }

  function jumpToNext(step) {
    if (!hitSegs.length) { return; }
    var visible = hitSegs.filter(function (s) { return !s.closest('.hidden'); });
    if (!visible.length) { return; }
    current = (current + step + visible.length) % visible.length;
    visible[current].scrollIntoView({ block: 'center' });
  }

  codeBoxes.forEach(function (b) { b.addEventListener('change', function (e) { cascade(b); apply(e); }); });
  statusBoxes.forEach(function (b) { b.addEventListener('change', apply); });
  if (coded) { coded.addEventListener('change', apply); }
  if (search) {
    search.addEventListener('input', apply);
    search.addEventListener('keydown', function (e) {
      if (e.key === 'Enter') { e.preventDefault(); jumpToNext(e.shiftKey ? -1 : 1); }
    });
  }
  root.querySelectorAll('button[data-all]').forEach(function (btn) {
    btn.addEventListener('click', function () {
      var on = btn.getAttribute('data-all') === '1';
      codeBoxes.forEach(function (b) { b.checked = on; });
      apply(true);
    });
  });
  var next = document.getElementById('qcv-next');
  if (next) { next.addEventListener('click', function () { jumpToNext(1); }); }

  var state = readHash();
  setBoxes(codeBoxes, 'data-code', state.codes);
  setBoxes(statusBoxes, 'data-status', state.status);
  if (search && state.q !== undefined) { search.value = state.q; }
  if (coded && state.coded) { coded.checked = true; }
  root.classList.add('js');
  apply();
}());
