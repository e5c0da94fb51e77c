"""`make screenshots`: every public page at 360 px and 1280 px, in Bahasa Indonesia and in
English, as PNGs in screenshots/ (git-ignored), for review. Uses the sample database of
`make run` (it sets it up when missing: the nightly job once) and Debian's Chromium."""

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


def sample_paths() -> dict[str, str]:
    """{name: path} of every public page, for an agency of the sample data with scores and a
    service."""
    code = (
        "from agencies.models import Agency, Service; "
        "a = Agency.objects.public().filter(scores__isnull=False, services__isnull=False)"
        ".order_by('code').first(); "
        "b = Agency.objects.public().exclude(pk=a.pk).order_by('code').first(); "
        "s = Service.objects.filter(agency=a).order_by('code').first(); "
        "print(a.slug, b.slug, s.code, a.region.code)"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=ENV,
        check=True,
        capture_output=True,
        text=True,
    )
    slug, other, service, region = out.stdout.strip().splitlines()[-1].split()
    paths = {
        "home": "/",
        "directory": "/agencies/",
        "directory-filtered": f"/agencies/?region={region}",
        "scorecard": f"/agencies/{slug}/",
        "service": f"/agencies/{slug}/services/{service}/",
        "survey": f"/agencies/{slug}/services/{service}/survey/",
        "rankings": "/rankings/",
        "compare": f"/compare/?a={slug}&a={other}",
        "methodology": "/methodology/",
        "open-data": "/open-data/",
    }
    for extra in ("/corrections/",):  # pages that not every version has
        paths[extra.strip("/")] = extra
    return paths


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
    manage("apply_rules", "--recompute")
    pages = sample_paths()
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
            for language in ("id", "en"):
                for width in WIDTHS:
                    context = browser.new_context(viewport={"width": width, "height": 800})
                    context.add_cookies(
                        [{"name": "lang", "value": language, "url": f"http://127.0.0.1:{PORT}"}]
                    )
                    page = context.new_page()
                    for name, path in pages.items():
                        response = page.goto(f"http://127.0.0.1:{PORT}{path}")
                        if response is None or response.status == 404:
                            continue
                        target = OUT / f"{name}-{language}-{width}.png"
                        page.screenshot(path=str(target), full_page=True)
                        print(target.relative_to(ROOT))
                    context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
