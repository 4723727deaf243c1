"""``qualcode daemon``: commands run in a forked copy of a warm process, with the same output,
exit codes and stores as in a process of their own; Ctrl-C reaches them; a killed, idle or
out-of-date daemon never serves a command.  Real processes throughout: the daemon, and the
small ``python -m qualcode`` process that hands it each command."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from qualcode import daemon

pytestmark = pytest.mark.skipif(not daemon.supported(), reason="the daemon needs fork and Unix sockets")

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "corpora" / "asiakaskokemus"
CODEBOOK = ROOT / "codebooks" / "asiakaskokemus_fi.yaml"


def _env(cache: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != daemon.DAEMON_ENV}
    env.update({"QUALCODE_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT), **extra})
    return env


def _qualcode(args, cwd, env, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qualcode", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, **kw)


def _served(env, cwd=ROOT) -> int:
    """Commands the daemon has served; -1 when none runs."""
    out = _qualcode(["daemon", "status"], cwd, env).stdout
    return int(out.split("):")[1].split()[0]) if "commands served" in out else -1


@pytest.fixture
def short_dir():
    """A folder with a short path (a socket path must stay under about 100 bytes: not below
    pytest's long folder names); any daemon left running in it is stopped afterwards."""
    where = Path(tempfile.mkdtemp(prefix="qcd-"))
    yield where
    for sock in where.rglob("*.sock"):
        info = daemon.status(sock)
        if info:
            os.kill(info["pid"], signal.SIGTERM)
    shutil.rmtree(where, ignore_errors=True)


@pytest.fixture(scope="module")
def warm():
    """A daemon of its own cache folder; stopped (and checked gone) after the module."""
    cache = Path(tempfile.mkdtemp(prefix="qcd-"))
    env = _env(cache)
    started = _qualcode(["daemon", "start"], ROOT, env)
    assert started.returncode == 0, started.stderr
    assert "started (pid" in started.stdout
    yield env
    stopped = _qualcode(["daemon", "stop"], ROOT, env)
    assert "stopped after" in stopped.stdout
    assert not list(cache.rglob("*.sock"))
    shutil.rmtree(cache, ignore_errors=True)


@pytest.fixture
def project(tmp_path):
    folder = tmp_path / "p"
    subprocess.run([sys.executable, "-m", "qualcode", "init", str(folder)], check=True, capture_output=True,
                   env=_env(tmp_path / "c", QUALCODE_DAEMON="off"))
    for name in ("H2.txt", "H5.txt"):
        shutil.copy(DEMO / "transcripts" / name, folder / "transcripts" / name)
    shutil.copy(CODEBOOK, folder / "codebooks" / "koodit.yaml")
    return folder


def test_commands_give_what_their_own_process_gives(warm, project, tmp_path):
    alone = tmp_path / "alone"
    shutil.copytree(project, alone)
    off = {**warm, daemon.DAEMON_ENV: "off"}
    (project / "bad.yaml").write_text("codes:\n  - {id: x, name: X, keywords: [a\n", encoding="utf-8")
    shutil.copy(project / "bad.yaml", alone / "bad.yaml")
    before = _served(warm)
    commands = [["ingest", "transcripts"], ["code"], ["status"], ["codebook", "check", "bad.yaml"],
                ["no-such-command"], ["--version"]]
    for args in commands:
        there, here = _qualcode(args, project, warm), _qualcode(args, alone, off)
        assert (there.returncode, there.stderr) == (here.returncode, here.stderr), args
        said = [_without_daemon_line(p.stdout) for p in (there, here)]
        assert said[0] == said[1], args
    status = _qualcode(["status"], project, warm).stdout
    assert "Taustaprosessi: käynnissä (pid" in status and "komennot ajetaan siinä" in status
    assert "mutta QUALCODE_DAEMON=off" in _qualcode(["status"], alone, off).stdout
    assert _qualcode(["codebook", "check", "bad.yaml"], project, warm).returncode == 2
    assert _served(warm) == before + len(commands) + 2     # the daemon ran them; off ran none
    from qualcode.project import Project

    frames = []
    for folder in (project, alone):
        p = Project.open(folder)
        frames.append(p.codings()[["source", "code_id", "start", "end", "quote", "status"]])
        p.close()
    assert len(frames[0]) > 100
    assert frames[0].equals(frames[1])


def _without_daemon_line(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("Taustaprosessi: "))


def test_ctrl_c_reaches_the_command(warm, project):
    _qualcode(["ingest", "transcripts"], project, warm)
    proc = subprocess.Popen([sys.executable, "-m", "qualcode", "code", "--watch"], cwd=project, env=warm,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    for line in proc.stdout:
        if line.startswith("Watching the codebook"):
            break
    assert _served(warm) >= 1 and "1 running now" in _qualcode(["daemon", "status"], ROOT, warm).stdout
    proc.send_signal(signal.SIGINT)          # what Ctrl-C in the terminal does: to this process only
    assert proc.wait(timeout=60) == 0
    assert "Stopped watching; every finished run is saved." in proc.stderr.read()


def test_a_killed_daemon_is_noticed_once_and_commands_run_on_their_own(project, short_dir):
    env = _env(short_dir)
    assert _qualcode(["daemon", "start"], ROOT, env).returncode == 0
    info = daemon_status(env)
    os.kill(info["pid"], signal.SIGKILL)
    time.sleep(0.3)
    first, second = _qualcode(["status"], project, env), _qualcode(["status"], project, env)
    assert first.returncode == second.returncode == 0
    assert "the daemon is no longer running" in first.stderr
    assert second.stderr == "" and "Lähteet" in second.stdout
    assert "No daemon runs" in _qualcode(["daemon", "status"], ROOT, env).stdout


def daemon_status(env) -> dict:
    code = "import json; from qualcode import daemon; print(json.dumps(daemon.status()))"
    import json

    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_a_daemon_of_older_code_serves_nothing(project, short_dir):
    # qualcode's files change (an upgrade, an edit): the daemon stops at the next command,
    # which runs on its own with the new code and says so
    where = short_dir
    shutil.copytree(ROOT / "qualcode", where / "qualcode", ignore=shutil.ignore_patterns("__pycache__"))
    env = _env(where / "cache", PYTHONPATH=str(where))
    assert _qualcode(["daemon", "start"], project, env).returncode == 0    # not in ROOT: its qualcode first
    assert _served(env, project) == 0
    assert _qualcode(["status"], project, env).stderr == ""
    assert _served(env, project) == 1
    labels = where / "qualcode" / "labels.py"
    labels.write_text(labels.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    stale = _qualcode(["status"], project, env)
    assert stale.returncode == 0 and "Lähteet" in stale.stdout
    assert "qualcode's files changed since the daemon started" in stale.stderr
    assert _served(env, project) == -1


def test_an_idle_daemon_stops_by_itself(short_dir):
    cache = short_dir
    env = _env(cache)
    started = _qualcode(["daemon", "start", "--idle", "0.05"], ROOT, env)     # 3 seconds
    assert "after 0.05 minutes without a command" in started.stdout
    deadline = time.monotonic() + 30
    while list(cache.rglob("*.sock")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not list(cache.rglob("*.sock"))
    assert "No daemon runs" in _qualcode(["daemon", "status"], ROOT, env).stdout
    assert "No daemon was running." in _qualcode(["daemon", "stop"], ROOT, env).stdout


def test_init_tells_of_the_daemon_while_none_runs(warm, tmp_path):
    off = _env(tmp_path / "no-daemon-here")
    assert "Tip: 'qualcode daemon start'" in _qualcode(["init", tmp_path / "a"], tmp_path, off).stdout
    assert "Tip:" not in _qualcode(["init", tmp_path / "b"], tmp_path, warm).stdout


def test_where_it_cannot_run_start_says_so(cli, monkeypatch):
    monkeypatch.setattr(daemon, "supported", lambda: False)
    code, output = cli(["daemon", "start"])
    assert code == 2
    assert "Error: the daemon needs a Unix system" in output


def test_handing_a_command_over_loads_no_library(warm, project):
    # the small process imports the standard library only: a command the daemon runs costs
    # it a process start and little more
    code = ("import sys; from qualcode import launch, daemon; exit_code = daemon.run_in_daemon(['status']); "
            "print(exit_code, sorted({m.split('.')[0] for m in sys.modules} & "
            "{'click', 'numpy', 'pandas', 'yaml', 'spacy', 'sqlite3', 'rich'}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=project, env=warm, capture_output=True, text=True,
                         timeout=120)
    assert "Lähteet" in out.stdout                  # the daemon's copy wrote the status here
    assert out.stdout.strip().splitlines()[-1] == "0 []"


def test_commands_typed_at_once_run_side_by_side(warm, project, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(project, other)
    before = _served(warm)
    procs = [subprocess.Popen([sys.executable, "-m", "qualcode", "ingest", "transcripts"], cwd=folder, env=warm,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for folder in (project, other)]
    said = [proc.communicate(timeout=300) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], said
    assert _served(warm) == before + 2
    for folder in (project, other):
        assert re.search(r"^Lähteet +2$", _qualcode(["status"], folder, warm).stdout, re.M)
