"""`make deps-check`: the direct dependencies (pyproject.toml) that have a newer release on
the package index. The vulnerability audit is scripts/audit.py (`make audit`, which
`make deps-check` runs next)."""

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def direct_names() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        specs += extra
    return {
        re.split(r"[\[<>=!~ ;]", spec, maxsplit=1)[0].lower().replace("_", "-") for spec in specs
    }


def main() -> int:
    listing = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-m", "pip", "list", "--outdated", "--format=json"],
        capture_output=True,
        text=True,
        check=True,
    )
    wanted = direct_names()
    outdated = [
        p for p in json.loads(listing.stdout) if p["name"].lower().replace("_", "-") in wanted
    ]
    if not outdated:
        print("All direct dependencies are at their newest release.")
        return 0
    width = max(len(p["name"]) for p in outdated)
    for p in sorted(outdated, key=lambda p: p["name"].lower()):
        print(f"{p['name']:<{width}}  {p['version']:>10} -> {p['latest_version']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
