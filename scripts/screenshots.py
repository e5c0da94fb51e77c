"""`make screenshots`: home, directory and a scorecard at 360 px and 1280 px, as PNGs in
screenshots/ (git-ignored), for review. Uses the sample database of `make run` (it sets it
up when missing) and Debian's Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PORT = int(os.environ.get("SCREENSHOT_PORT", "8765"))
WIDTHS = (360, 1280)
ENV = {**os.environ, "DEBUG": "1"}


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=ENV, check=True)


def first_agency_slug() -> str:
    out = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from agencies.models import Agency; "
            "print(Agency.objects.public().filter(scores__isnull=False).first().slug)",
        ],
        cwd=ROOT,
        env=ENV,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


def wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"the server did not start on port {port}")


def main() -> None:
    from playwright.sync_api import sync_playwright

    manage("migrate", "--no-input", "-v0")
    manage("seed_demo")
    manage("recompute_scores")
    slug = first_agency_slug()
    pages = {"home": "/", "directory": "/agencies/", "scorecard": f"/agencies/{slug}/"}
    OUT.mkdir(exist_ok=True)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{PORT}", "--noreload"],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(PORT)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ],
            )
            for width in WIDTHS:
                context = browser.new_context(
                    viewport={"width": width, "height": 800}, locale="id-ID"
                )
                page = context.new_page()
                for name, path in pages.items():
                    page.goto(f"http://127.0.0.1:{PORT}{path}")
                    target = OUT / f"{name}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target.relative_to(ROOT))
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
