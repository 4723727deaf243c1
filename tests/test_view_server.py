"""The review app over real HTTP (token, host, CSRF, traversal and bad ids refused with a
message; loopback only unless asked) and end to end in headless Chromium: open a source,
accept a suggestion, select words and add a coding, undo, reload — the store, the audit
trail, the review sheet and the report hold exactly what was decided."""
from __future__ import annotations

import http.client
import json
import shutil
from urllib.parse import urlsplit

import openpyxl
import pytest

from qualcode.errors import QualcodeError
from qualcode.labels import label
from qualcode.server import ReviewApp, bind, remote_warning, running

from test_view import dom
from conftest import coded_study

TRANSCRIPT = ("Haastattelija: Miten tuki toimi?\n"
              "H1: 😀 Tuki vastasi aina nopeasti, ja laskutus oli selkeä. 🇫🇮 Hinta oli kohtuullinen.\n"
              "Haastattelija: Entä viestintä?\n"
              "H1: Viestintä toimi, mutta tuki oli joskus hidas.\n")
CODEBOOK = ("language: fi\ncodes:\n"
            "  - {id: palvelu, name: Palvelu}\n"
            "  - {id: tuki, name: Tuki, parent: palvelu, keywords: [tuki]}\n"
            "  - {id: hinta, name: Hinta, parent: palvelu, keywords: [hinta]}\n"
            "  - {id: viestinta, name: Viestintä, keywords: [viestintä]}\n")
DRIVER = shutil.which("chromedriver")
BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def study(project):
    return coded_study(project, CODEBOOK, {"H1.txt": TRANSCRIPT}, codebook_name="cb.yaml")


@pytest.fixture
def served(study):
    app = ReviewApp(study.root, coder="liisa")
    with running(app) as url:
        yield study, app, url


class Client:
    """Raw HTTP to the app (http.client: no path normalisation, any Host header)."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.host, self.port, self.entry = parts.hostname, parts.port, f"{parts.path}?{parts.query}"
        self.cookie = ""

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        head = {"Host": f"{self.host}:{self.port}", **({"Cookie": self.cookie} if self.cookie else {}),
                **(headers or {})}
        conn.request(method, path, body=body, headers=head)
        response = conn.getresponse()
        data = response.read().decode("utf-8")
        conn.close()
        return response, data

    def login(self):
        response, _ = self.request("GET", self.entry)
        assert response.status == 303 and response.getheader("Location") == "/index.html"
        self.cookie = response.getheader("Set-Cookie").split(";")[0]
        return response

    def post(self, app, action, body, headers=None):
        base = {"Content-Type": "application/json", "X-CSRF-Token": app.csrf,
                "Origin": f"http://{self.host}:{self.port}"}
        response, data = self.request("POST", f"/api/{action}", json.dumps(body), {**base, **(headers or {})})
        return response.status, json.loads(data)


def test_the_access_token_is_required_and_swapped_for_a_strict_cookie(served):
    _, app, url = served
    client = Client(url)
    response, text = client.request("GET", "/index.html")
    assert response.status == 403 and "access token" in text
    response, _ = client.request("GET", "/?token=wrong")
    assert response.status == 403
    cookie = client.login().getheader("Set-Cookie").lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and app.token not in cookie
    response, page = client.request("GET", "/index.html")
    assert response.status == 200 and response.getheader("Cache-Control") == "no-store"
    nonce = response.getheader("Content-Security-Policy").split("'nonce-")[1].split("'")[0]
    assert all(s.attrs.get("nonce") == nonce for s in dom(page).select("script")) and nonce in page
    response, _ = client.request("GET", "/index.html", headers={"Host": f"rebound.example:{client.port}"})
    assert response.status == 400                                  # a DNS-rebinding host is refused


def test_every_write_needs_the_csrf_token_and_the_apps_own_origin(served):
    project, app, url = served
    client = Client(url)
    client.login()
    first = project.codings().iloc[0]
    suggestion = int(first["coding_id"])
    status, body = client.post(app, "accept", {"coding_id": suggestion}, {"X-CSRF-Token": ""})
    assert status == 403 and "security token" in body["error"]
    status, body = client.post(app, "accept", {"coding_id": suggestion}, {"Origin": "http://evil.example"})
    assert status == 403 and "another site" in body["error"]
    response, _ = client.request("GET", "/api/accept")
    assert response.status == 405                                  # writes are POSTs only
    assert len(project.codings()) == len(project.codings()[project.codings()["coder"] == "auto"])
    status, body = client.post(app, "accept", {"coding_id": suggestion})
    assert status == 200 and body["ok"]
    mine = project.codings()[project.codings()["coder"] == "liisa"]
    assert mine[["status", "code_id", "quote"]].values.tolist() == [["accepted", first["code_id"], first["quote"]]]


def test_paths_outside_the_view_and_bad_ids_are_refused_with_a_message(served):
    project, app, url = served
    client = Client(url)
    client.login()
    for path in ("/sources/../qualcode.toml", "/sources/..%2f..%2fqualcode.toml", "/sources/%2e%2e/x.html",
                 "/.qualcode/store.sqlite", "/sources/H1-txt-99.html"):
        response, text = client.request("GET", path)
        assert response.status == 404 and "no such" in text, path
    assert client.request("GET", "/sources/H1-txt-1.html")[0].status == 200
    cases = [("accept", {"coding_id": "1; DROP TABLE codings"}, 400, "bad id"),
             ("accept", {"coding_id": 99999}, 400, "no coding 99999"),
             ("accept", {}, 400, "lacks a field"),
             ("add", {"segment_id": 99999, "code_id": "tuki", "start": 0, "end": 2, "text": "Mi"}, 400, "no segment"),
             ("add", {"segment_id": 2, "code_id": "tuki", "start": 0, "end": 2, "text": "xx"}, 400, "not in this"),
             ("add", {"segment_id": 2, "code_id": "nope", "start": 0, "end": 1, "text": "😀"}, 400, "unknown code"),
             ("valence", {"coding_id": 1, "valence": "great"}, 400, "unknown valence"),
             ("undo", {}, 400, "nothing to undo"),
             ("delete_everything", {}, 404, "no action")]
    for action, body, status, words in cases:
        got, answer = client.post(app, action, body)
        assert (got, words in answer["error"]) == (status, True), (action, answer)
    response, data = client.request("POST", "/api/accept", "[1,", {"Content-Type": "application/json",
                                                                   "X-CSRF-Token": app.csrf})
    assert response.status == 400 and "JSON" in data
    assert set(project.codings()["coder"]) == {"auto"}


def test_the_app_listens_on_loopback_unless_told_otherwise():
    with pytest.raises(QualcodeError, match="--allow-remote"):
        bind("0.0.0.0")
    sock = bind("0.0.0.0", allow_remote=True)
    sock.close()
    assert remote_warning("127.0.0.1") is None and remote_warning("::1") is None
    assert "open to other computers" in remote_warning("0.0.0.0")
    with pytest.raises(QualcodeError, match="reserved"):
        from qualcode.facade.view import ReviewJournal
        ReviewJournal("auto")


def test_decisions_go_through_the_library_and_undo_restores_them(served):
    project, app, url = served
    client = Client(url)
    client.login()
    segs = project.segments().set_index("segment_id")
    h1 = int(segs.index[segs["text"].str.startswith("😀")][0])
    text = segs.loc[h1, "text"]
    auto = project.codings()
    tuki = int(auto[(auto["segment_id"] == h1) & (auto["code_id"] == "tuki")]["coding_id"].iloc[0])
    hinta = int(auto[(auto["segment_id"] == h1) & (auto["code_id"] == "hinta")]["coding_id"].iloc[0])
    assert client.post(app, "accept", {"coding_id": tuki})[0] == 200
    assert client.post(app, "reject", {"coding_id": hinta})[0] == 200
    start = text.index("🇫🇮")
    words = text[start:start + 4]                                  # the flag (one code point each half) and "Hi"
    assert client.post(app, "add", {"segment_id": h1, "code_id": "viestinta", "start": start,
                                    "end": start + 4, "text": words})[0] == 200
    mine = project.codings()
    mine = mine[mine["coder"] == "liisa"].set_index("code_id")
    assert mine.loc["viestinta", "quote"] == words and mine.loc["tuki", "quote"] == "Tuki"
    assert client.post(app, "valence", {"coding_id": int(mine.loc["tuki", "coding_id"]), "valence": "positive"})[0] == 200
    assert client.post(app, "target", {"coding_id": int(mine.loc["tuki", "coding_id"]), "target": " tukitiimi "})[0] == 200
    valued = project.codings().set_index("coding_id").loc[int(mine.loc["tuki", "coding_id"])]
    assert (valued["valence"], valued["target"], valued["status"]) == ("positive", "tukitiimi", "accepted")
    assert client.post(app, "memo", {"segment_id": h1, "text": "Tuki kehuttu"})[0] == 200
    assert project.coding.memos()["text"].tolist() == ["Tuki kehuttu"]
    status, body = client.post(app, "remove", {"coding_id": tuki})
    assert status == 400 and "auto's, not yours" in body["error"]
    assert client.post(app, "remove", {"coding_id": int(mine.loc["viestinta", "coding_id"])})[0] == 200
    for _ in range(3):                                     # undo the removal, then the target and the valence
        assert client.post(app, "undo", {})[0] == 200
    after = project.codings()
    after = after[after["coder"] == "liisa"].set_index("code_id")
    assert after["status"].to_dict() == {"hinta": "rejected", "tuki": "accepted", "viestinta": "manual"}
    assert after.loc["viestinta", "quote"] == words and after["valence"].isna().all() and after["target"].isna().all()
    actions = project.audit()["action"].tolist()
    assert actions[-10:] == ["accepted", "rejected", "add", "value", "value", "memo", "remove", "undo", "undo", "undo"]


def test_the_page_offers_the_review_panel_only_when_served(served, tmp_path):
    project, app, url = served
    client = Client(url)
    client.login()
    _, page = client.request("GET", "/sources/H1-txt-1.html")
    root = dom(page)
    assert root.select(attr="data-me")[0].attrs["data-me"] == "liisa"
    owners = json.loads(next(s for s in root.select("script") if s.attrs.get("id") == "qcv-codings").text())
    assert set(map(int, owners)) == set(project.codings()["coding_id"])
    from qualcode.facade.view import write_view

    written = (write_view(project, tmp_path / "w").parent / "sources" / "H1-txt-1.html").read_text(encoding="utf-8")
    assert "qcv-review" not in written and "qcv-csrf" not in written


@pytest.fixture
def browser(tmp_path):
    if not (DRIVER and BROWSER):
        pytest.skip("needs Chromium and its driver (Debian packages chromium and chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = BROWSER
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000",
                f"--user-data-dir={tmp_path / 'chromium'}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def wait_for_reload(driver, old_body):
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 20).until(lambda d: d.find_element("tag name", "body") != old_body
                                    and d.execute_script("return document.readyState") == "complete")


def test_review_in_a_real_browser(served, browser):
    from selenium.webdriver.common.action_chains import ActionChains

    project, app, url = served
    browser.get(url)
    assert browser.current_url.endswith("/index.html")
    browser.find_element("link text", "transcripts/H1.txt").click()
    # the first suggestion, by keyboard: n moves to it, a accepts it
    ActionChains(browser).send_keys("n").perform()
    focused = browser.switch_to.active_element
    first = json.loads(browser.find_element("id", "qcv-codings").get_attribute("textContent"))
    open_ids = [k for k in first if first[k][1] == "suggested"]
    assert focused.get_attribute("data-k") in open_ids
    accepted_code = first[focused.get_attribute("data-k")][0]
    body = browser.find_element("tag name", "body")
    ActionChains(browser).send_keys("a").perform()
    wait_for_reload(browser, body)
    # whom the accepted remark concerns: typed into the field beside it, saved on leaving it
    owners = json.loads(browser.find_element("id", "qcv-codings").get_attribute("textContent"))
    mine_id = next(k for k, v in owners.items() if v[2] == "liisa")
    browser.execute_script("""
        const el = document.querySelector('.chip[data-chip="' + arguments[0] + '"]')
                   || document.querySelector('[data-k="' + arguments[0] + '"]').closest('.p');
        el.focus();""", mine_id)
    field = browser.find_element("css selector", "#qcv-here input[aria-label='kohde']")
    body = browser.find_element("tag name", "body")
    field.send_keys("asiakastuki\t")
    wait_for_reload(browser, body)
    stored = project.codings().set_index("coding_id")
    assert stored.loc[int(mine_id), "target"] == "asiakastuki"
    owners = json.loads(browser.find_element("id", "qcv-codings").get_attribute("textContent"))
    assert owners[mine_id][4] == "asiakastuki"
    body = browser.find_element("tag name", "body")
    ActionChains(browser).send_keys("u").perform()              # the target undone, the acceptance kept
    wait_for_reload(browser, body)
    # select "Hinta oli" (after two flag code points and an emoji earlier) and add a code to it
    browser.execute_script("""
        const seg = [...document.querySelectorAll('.seg')].find(p => p.textContent.includes('Hinta oli'));
        const walker = document.createTreeWalker(seg, NodeFilter.SHOW_TEXT);
        let node;
        while ((node = walker.nextNode()) && !node.nodeValue.includes('oli kohtuullinen')) {}
        const i = node.nodeValue.indexOf('oli kohtuullinen');
        const hinta = [...seg.querySelectorAll('[data-k]')].find(n => n.textContent === 'Hinta');
        getSelection().setBaseAndExtent(hinta.firstChild, 0, node, i + 3);
    """)
    assert browser.find_element("id", "qcv-selection").text.endswith("Hinta oli")
    browser.find_element("css selector", "#qcv-code option[value='viestinta']").click()
    body = browser.find_element("tag name", "body")
    browser.find_element("id", "qcv-add").click()
    wait_for_reload(browser, body)
    added = project.codings()
    added = added[(added["coder"] == "liisa") & (added["status"] == "manual")]
    assert added["quote"].tolist() == ["Hinta oli"]
    # undo the addition with the keyboard, then reload the page
    body = browser.find_element("tag name", "body")
    ActionChains(browser).send_keys("u").perform()
    wait_for_reload(browser, body)
    browser.refresh()
    mine = project.codings()
    mine = mine[mine["coder"] == "liisa"]
    assert mine[["code_id", "status"]].values.tolist() == [[accepted_code, "accepted"]]
    owners = json.loads(browser.find_element("id", "qcv-codings").get_attribute("textContent"))
    assert [v[:3] for v in owners.values() if v[2] == "liisa"] == [[accepted_code, "accepted", "liisa"]]
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    # the decision is where the CLI and the reports look
    trail = project.audit()["action"].tolist()
    assert trail[-5:] == ["accepted", "value", "undo", "add", "undo"]
    sheet = project.coding.review_export(project.root / "tarkistus.xlsx", coder="liisa")
    rows = list(openpyxl.load_workbook(sheet).worksheets[0].iter_rows(values_only=True))
    header = next(r for r in rows if label("review.accepted", "fi") in r)
    col = header.index(label("review.accepted", "fi"))
    assert any(accepted_code in str(r[col] or "") for r in rows[rows.index(header) + 1:])
    report = project.report(project.root / "r.md").read_text(encoding="utf-8")
    segment = int(mine["segment_id"].iloc[0])
    assert f"| liisa | hyväksytty | segment {segment} / {accepted_code} |" in report    # its audit trail
    assert "| H1 |  | 1 | 1 |" in report                  # one reviewed coding counted for H1


def test_the_app_and_another_writer_at_once_lose_no_decision(served):
    """Two browser tabs and a command writing at the same moment: every decision is stored."""
    import threading

    from qualcode.project import Project

    project, app, url = served
    more = "\n".join(f"H1: Tuki numero {i} vastasi, hinta {i} oli sopiva." for i in range(12))
    (project.root / "transcripts" / "H2.txt").write_text(more + "\n", encoding="utf-8")
    project.ingest([project.root / "transcripts"])
    project.code()
    auto = project.codings()
    tabs = [Client(url), Client(url)]
    for tab in tabs:
        tab.login()
    tuki = auto[auto["code_id"] == "tuki"]["coding_id"].astype(int).tolist()
    hinta = auto[auto["code_id"] == "hinta"][["segment_id", "code_id"]].values.tolist()
    errors = []

    def browser_tab(tab, ids):
        for i in ids:
            status, body = tab.post(app, "accept", {"coding_id": i})
            if status != 200:
                errors.append(body)

    def command():
        with Project(project.root) as other:
            for seg, code in hinta:
                other.coding.reject(int(seg), code, coder="olli")

    workers = [threading.Thread(target=browser_tab, args=(tabs[0], tuki[0::2])),
               threading.Thread(target=browser_tab, args=(tabs[1], tuki[1::2])), threading.Thread(target=command)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    final = project.codings()
    assert len(final[(final["coder"] == "liisa") & (final["status"] == "accepted")]) == len(tuki)
    assert len(final[(final["coder"] == "olli") & (final["status"] == "rejected")]) == len(hinta)
    assert project.audit()["action"].tolist().count("accepted") == len(tuki)
