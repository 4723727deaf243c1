"""`qualcode view` and `project.show` through the project: the folder written, a foreign folder
and a missing key refused with one sentence (exit 2)."""


def test_view_command_and_project_show(project, cli):
    (project.root / "codebooks" / "cb.yaml").write_text(
        "language: fi\ncodes:\n  - {id: tuki, name: Tuki, keywords: [tuki]}\n", encoding="utf-8")
    (project.root / "transcripts" / "H1.txt").write_text(
        "Haastattelija: Miten tuki toimi?\nH1: Tuki vastasi nopeasti.\n", encoding="utf-8")
    project.ingest([project.root / "transcripts"])
    project.code()
    code, out = cli(["--project", project.root, "view", "--lang", "en"])
    assert code == 0, out
    assert (project.root / "view" / "index.html").is_file() and "view/index.html" in out.replace("\\", "/")
    code, out = cli(["--project", project.root, "view", "-o", project.root / "transcripts"])
    assert code == 2 and "other files than a qualcode view" in out and "Traceback" not in out
    code, out = cli(["--project", project.root, "view", "--pseudonymise"])
    assert code == 2 and "no pseudonymisation key" in out
    shown = project.show("H1.txt", codes="tuki")
    assert shown._repr_html_().count('data-code="tuki"') == 1
    assert project.view(project.root / "toinen").name == "index.html"


def test_serve_command_prints_a_token_address_and_refuses_other_hosts(project, cli):
    import subprocess
    import sys
    import urllib.error
    import urllib.request

    code, out = cli(["--project", project.root, "serve", "--host", "0.0.0.0", "--no-browser"])
    assert code == 2 and "--allow-remote" in out
    proc = subprocess.Popen([sys.executable, "-m", "qualcode.cli", "--project", str(project.root), "serve",
                             "--no-browser", "--coder", "liisa"], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("Reviewing as liisa: http://127.0.0.1:") and "token=" in line
        url = line.split(": ", 1)[1].strip()
        try:
            urllib.request.urlopen(url.split("?")[0] + "index.html", timeout=10)
            raise AssertionError("the index opened without the token")
        except urllib.error.HTTPError as exc:
            assert exc.code == 403
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        assert opener.open(url, timeout=10).geturl().endswith("/index.html")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
