"""The dependency audit (issue 16, finding 6): `make audit` runs pip-audit --strict on
requirements.lock against a vulnerability database when one answers, and when none does it
says "NOT AUDITED" and exits 2, never a silent pass (pip-audit alone prints "No known
vulnerabilities found" and exits 0 then)."""

import os
import subprocess
import sys
from pathlib import Path

from scripts import audit

ROOT = Path(__file__).resolve().parent.parent


def test_with_no_database_reachable_it_says_so_and_fails():
    # Every request goes to a proxy on a port nothing listens on: no database answers,
    # whatever the network of the machine running the tests.
    env = {
        "PATH": os.environ["PATH"],
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "https_proxy": "http://127.0.0.1:9",
    }
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "scripts/audit.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == audit.NOT_AUDITED == 2
    assert "NOT AUDITED: no vulnerability database was reachable" in result.stderr
    assert "PyPI's JSON API: " in result.stderr and "OSV: " in result.stderr
    assert "No known vulnerabilities" not in result.stdout + result.stderr


def test_the_first_database_that_answers_is_used_with_strict(monkeypatch):
    answers = {"pypi": "HTTP 404", "osv": None}
    monkeypatch.setattr(audit, "probe", answers.get)
    ran = []

    def fake_run(args, **kwargs):
        ran.append(args)
        return subprocess.CompletedProcess(args, 1)  # pip-audit: a vulnerability found

    monkeypatch.setattr(audit.subprocess, "run", fake_run)
    assert audit.main() == 1
    (args,) = ran
    assert args[1:3] == ["-m", "pip_audit"]
    assert "--strict" in args and "--require-hashes" in args
    assert args[args.index("--vulnerability-service") + 1] == "osv"
    assert args[args.index("--requirement") + 1].endswith("requirements.lock")


def test_pip_audit_is_installed_through_the_lock():
    import pip_audit  # noqa: F401

    lock = (ROOT / "requirements.lock").read_text()
    assert "\npip-audit==" in lock
    assert "--hash=sha256:" in lock.split("\npip-audit==")[1].split("\n\n")[0]
