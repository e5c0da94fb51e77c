"""`make audit`: requirements.lock checked for known vulnerabilities by pip-audit, against
PyPI's vulnerability data (its JSON API, pip-audit's default) or else OSV.

pip-audit reports "No known vulnerabilities found" and exits 0 when it could not reach any
database, unless given --strict (docs/security.md). So this asks each database first, runs
pip-audit --strict against the first that answers, and when none does, says plainly that
the lock was NOT audited and exits 2: never a silent pass.

Exit codes: 0 audited, nothing known; 1 pip-audit found a vulnerability or could not audit
a package; 2 no vulnerability database was reachable from here.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
NOT_AUDITED = 2
TIMEOUT = 15  # seconds per probe
# A package and version every database knows (Django 4.2.0 has published advisories).
PROBES = {
    "pypi": (
        "PyPI's JSON API",
        urllib.request.Request("https://pypi.org/pypi/django/4.2/json"),
        "vulnerabilities",
    ),
    "osv": (
        "OSV",
        urllib.request.Request(
            "https://api.osv.dev/v1/query",
            data=json.dumps(
                {"package": {"name": "django", "ecosystem": "PyPI"}, "version": "4.2"}
            ).encode(),
            headers={"Content-Type": "application/json"},
        ),
        "vulns",
    ),
}


def probe(service: str) -> str | None:
    """None when the database answers with vulnerability data; else why not."""
    _label, request, field = PROBES[service]
    try:
        # Fixed https URLs (above), no user input.
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            body = json.load(response)
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except urllib.error.URLError as exc:
        return str(exc.reason)
    except (OSError, ValueError) as exc:  # a timeout, a reset, an answer that is not JSON
        return f"{type(exc).__name__}: {exc}"
    if not isinstance(body, dict) or field not in body:
        return "an answer without vulnerability data"
    return None


def pip_audit(service: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pip_audit",
        "--strict",  # a package it could not audit is a failure, not a pass
        "--disable-pip",
        "--require-hashes",
        "--requirement",
        str(LOCK),
        "--vulnerability-service",
        service,
        "--progress-spinner",
        "off",
    ]


def main() -> int:
    unreachable = []
    for service, (label, _request, _field) in PROBES.items():
        problem = probe(service)
        if problem is None:
            print(f"Auditing {LOCK.name} against {label} (pip-audit --strict).", flush=True)
            return subprocess.run(pip_audit(service), cwd=ROOT, check=False).returncode  # noqa: S603
        unreachable.append(f"{label}: {problem}")
    print(
        f"NOT AUDITED: no vulnerability database was reachable ({'; '.join(unreachable)}). "
        f"{LOCK.name} has not been checked for known vulnerabilities: run `make audit` "
        "where PyPI's JSON API or OSV answers (docs/security.md).",
        file=sys.stderr,
    )
    return NOT_AUDITED


if __name__ == "__main__":
    sys.exit(main())
