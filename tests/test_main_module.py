"""`python -m qualcode` is the same command line as the `qualcode` script."""
import os
import subprocess
import sys
from pathlib import Path

import qualcode

ROOT = Path(__file__).resolve().parents[1]


def run_module(*args, cwd):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "qualcode", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_version_and_a_user_error_through_python_m(tmp_path):
    done = run_module("--version", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == f"qualcode, version {qualcode.__version__}"
    # outside a project: the CLI's one-sentence error and exit code 2, no traceback
    done = run_module("status", cwd=tmp_path)
    assert done.returncode == 2, done
    assert "Traceback" not in done.stderr and "no qualcode project here" in done.stderr, done.stderr
