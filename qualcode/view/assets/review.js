/* qualcode review app (only on pages served by `qualcode serve`): decide on the codings in
   context.  Every action is one request to the local server, which makes the same library call
   as the command line and the review sheet; the page then reloads to show the stored state.

   Offsets sent for a new coding are Unicode code points into the paragraph's text, as the
   store keeps them: the browser counts UTF-16 units, so the text before the selection is
   counted with Array.from, which walks code points (an emoji is one, not two). */
(function () {
  'use strict';
  var panel = document.getElementById('qcv-review');
  if (!panel) { return; }
  var csrf = document.querySelector('meta[name="qcv-csrf"]').getAttribute('content');
  var owners = JSON.parse(document.getElementById('qcv-codings').textContent);
  var here = document.getElementById('qcv-here');
  var message = document.getElementById('qcv-message');
  var codeSelect = document.getElementById('qcv-code');
  var addButton = document.getElementById('qcv-add');
  var selectionOut = document.getElementById('qcv-selection');
  var memo = document.getElementById('qcv-memo');
  var memoButton = document.getElementById('qcv-memo-save');
  var valences = Array.prototype.map.call(document.querySelectorAll('#qcv-valences option'),
    function (o) { return o.value; });
  var valenceNames = {};   // the valences' names in the page's language
  Array.prototype.forEach.call(document.querySelectorAll('#qcv-valences option'),
    function (o) { valenceNames[o.value] = o.textContent; });
  var me = panel.getAttribute('data-me');
  var focused = null;      // the marked piece or margin label last focused
  var chosen = null;       // the words selected for a new coding

  function label(name) { return panel.getAttribute('data-' + name); }

  function post(action, body) {
    message.textContent = label('saving');
    return fetch('/api/' + action, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) { throw new Error(j.error || r.statusText); }
        return j;
      });
    }).then(function (j) {
      sessionStorage.setItem('qcv-after', JSON.stringify({ seg: segmentOf(focused), message: j.message }));
      location.reload();
    }).catch(function (e) { message.textContent = e.message; });
  }

  function segmentOf(el) {
    var row = el && el.closest('.segrow');
    var seg = row && row.querySelector('.seg');
    return seg ? Number(seg.id.slice(1)) : null;
  }

  function codingsAt(el) {
    // the codings over a marked piece (its own spans, those around it) or of a margin label
    var ids = [];
    if (el.hasAttribute('data-chip')) { return [el.getAttribute('data-chip')]; }
    var node = el;
    while (node && !node.classList.contains('seg')) {
      if (node.hasAttribute && node.hasAttribute('data-k')) { ids.push(node.getAttribute('data-k')); }
      node = node.parentElement;
    }
    el.querySelectorAll('[data-k]').forEach(function (n) { ids.push(n.getAttribute('data-k')); });
    return ids.filter(function (id, i) { return ids.indexOf(id) === i && owners[id]; });
  }

  function button(text, action, id) {
    var b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.addEventListener('click', function () { post(action, { coding_id: Number(id) }); });
    return b;
  }

  function valenceChooser(id, current) {
    var s = document.createElement('select');
    s.setAttribute('aria-label', label('valence'));
    [''].concat(valences).forEach(function (v) {
      var o = document.createElement('option');
      o.value = v; o.textContent = valenceNames[v] || '—'; o.selected = v === current;
      s.appendChild(o);
    });
    s.addEventListener('change', function () { post('valence', { coding_id: Number(id), valence: s.value || null }); });
    return s;
  }

  function targetField(id, current) {
    // whom the remark concerns (a person or role); saved when the reviewer leaves the field
    var t = document.createElement('input');
    t.type = 'text'; t.value = current || ''; t.size = 18;
    t.setAttribute('aria-label', label('target'));
    t.placeholder = label('target-hint');
    t.addEventListener('change', function () { post('target', { coding_id: Number(id), target: t.value.trim() || null }); });
    return t;
  }

  function showHere(el) {
    focused = el;
    memoButton.disabled = !memo.value.trim() || segmentOf(el) === null;
    here.textContent = '';
    var list = document.createElement('ul');
    codingsAt(el).forEach(function (id) {
      var o = owners[id];   // [code, status, coder, valence, target]
      var item = document.createElement('li');
      var name = document.querySelector('input[data-code="' + CSS.escape(o[0]) + '"]');
      var title = document.createElement('span');
      title.textContent = (name ? name.closest('label').querySelector('.name').textContent : o[0]) +
        ' — ' + label('s-' + o[1]) + ' (' + o[2] + ')';
      item.appendChild(title);
      if (o[1] === 'suggested' || o[2] !== me) {
        item.appendChild(button(label('accept'), 'accept', id));
        item.appendChild(button(label('reject'), 'reject', id));
      }
      if (o[2] === me) {
        item.appendChild(button(label('remove'), 'remove', id));
        if (o[1] !== 'rejected') {
          item.appendChild(valenceChooser(id, o[3]));
          item.appendChild(targetField(id, o[4]));
        }
      }
      list.appendChild(item);
    });
    if (list.children.length) { here.appendChild(list); } else { here.textContent = label('none'); }
  }

  function markedPieces() {
    return Array.prototype.slice.call(document.querySelectorAll('.p[tabindex="0"], .chip'))
      .filter(function (el) { return !el.closest('.hidden') && !el.classList.contains('off'); });
  }

  function firstOpen(el) {
    // the first suggestion over a piece that this coder has not decided on yet
    return codingsAt(el).filter(function (id) { return owners[id][1] === 'suggested'; })[0];
  }

  function moveToSuggestion(step, fromSeg) {
    var pieces = markedPieces().filter(firstOpen);
    if (!pieces.length) { return; }
    var at = pieces.indexOf(document.activeElement);
    if (at < 0 && fromSeg !== undefined) {
      at = pieces.findIndex(function (p) { return segmentOf(p) >= fromSeg; }) - 1;
      if (at < -1) { at = -1; }
    }
    var next = pieces[(at + step + pieces.length) % pieces.length];
    next.focus();
    next.scrollIntoView({ block: 'center' });
  }

  function readSelection() {
    var sel = window.getSelection();
    chosen = null;
    if (sel.rangeCount && !sel.isCollapsed) {
      var r = sel.getRangeAt(0);
      var start = (r.startContainer.nodeType === 1 ? r.startContainer : r.startContainer.parentElement).closest('.seg');
      var end = (r.endContainer.nodeType === 1 ? r.endContainer : r.endContainer.parentElement).closest('.seg');
      if (start && start === end) {
        var before = document.createRange();
        before.selectNodeContents(start);
        before.setEnd(r.startContainer, r.startOffset);
        var offset = Array.from(before.toString()).length;
        var words = Array.from(r.toString());
        var a = 0, b = words.length;
        while (a < b && /\s/.test(words[a])) { a++; }
        while (b > a && /\s/.test(words[b - 1])) { b--; }
        if (a < b) {
          chosen = { segment_id: Number(start.id.slice(1)), start: offset + a, end: offset + b,
                     text: words.slice(a, b).join('') };
        }
      }
    }
    addButton.disabled = !chosen;
    selectionOut.textContent = chosen ? label('selected').replace('{text}', chosen.text) : '';
  }

  document.addEventListener('focusin', function (e) {
    var el = e.target.closest && e.target.closest('.p, .chip');
    if (el) { showHere(el); }
  });
  document.addEventListener('selectionchange', readSelection);
  addButton.addEventListener('click', function () {
    if (!chosen) { return; }
    var body = { segment_id: chosen.segment_id, start: chosen.start, end: chosen.end, text: chosen.text,
                 code_id: codeSelect.value };
    focused = document.getElementById('s' + chosen.segment_id);
    post('add', body);
  });
  memo.addEventListener('input', function () { memoButton.disabled = !memo.value.trim() || segmentOf(focused) === null; });
  memoButton.addEventListener('click', function () { post('memo', { segment_id: segmentOf(focused), text: memo.value }); });
  document.getElementById('qcv-undo').addEventListener('click', function () { post('undo'); });

  document.addEventListener('keydown', function (e) {
    var t = e.target;
    if (t.closest && t.closest('input, select, textarea, button')) { return; }
    if (e.altKey || e.metaKey) { return; }
    if (e.ctrlKey && e.key !== 'z') { return; }
    var el = document.activeElement && document.activeElement.closest && document.activeElement.closest('.p, .chip');
    var open = el && firstOpen(el);
    if (e.key === 'n' || e.key === 'j') { moveToSuggestion(1); }
    else if (e.key === 'p' || e.key === 'k') { moveToSuggestion(-1); }
    else if (e.key === 'a' && open) { post('accept', { coding_id: Number(open) }); }
    else if (e.key === 'r' && open) { post('reject', { coding_id: Number(open) }); }
    else if (e.key === 'u' || (e.ctrlKey && e.key === 'z')) { post('undo'); }
    else if (e.key === 'Delete' && el) {
      var own = codingsAt(el).filter(function (id) { return owners[id][2] === me; })[0];
      if (own) { post('remove', { coding_id: Number(own) }); }
    } else { return; }
    e.preventDefault();
  });

  var after = sessionStorage.getItem('qcv-after');
  if (after) {
    sessionStorage.removeItem('qcv-after');
    after = JSON.parse(after);
    message.textContent = after.message || '';
    if (after.seg !== null) { moveToSuggestion(1, after.seg); }
  }
}());
