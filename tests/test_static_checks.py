"""The static checks `make lint` runs on the security side (ASVS V14 / V15): bandit finds no
medium or high issue in the deployed apps, and no template turns auto-escaping off."""

import subprocess
import sys
from pathlib import Path

import pytest

from scripts import check_templates

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("line", "unsafe"),
    [
        ("{{ text|safe }}", True),
        ("{{ rows|safeseq|join:', ' }}", True),
        ("{% autoescape off %}", True),
        ("{{ text }}", False),
        ("{{ text|escape }}", False),
        ("{% autoescape on %}", False),
    ],
)
def test_template_check_spots_escaping_turned_off(line, unsafe):
    assert bool(check_templates.UNSAFE.search(line)) is unsafe


def test_no_template_turns_escaping_off():
    assert check_templates.main() == 0


def test_bandit_finds_no_medium_or_high_issue():
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [
            sys.executable,
            "-m",
            "bandit",
            "-q",
            "-ll",
            "-c",
            "pyproject.toml",
            "-r",
            "agencies",
            "performance",
            "rewards",
            "portal",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout
