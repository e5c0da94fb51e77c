"""ASVS V3.4 / V50 browser security: a nonce-based Content Security Policy on every page, and
no template that would need 'unsafe-inline'."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/", "/agencies/", "/methodology/", "/accounts/login/"])
def test_every_page_carries_a_strict_policy(db, path):
    policy = _policy(Client().get(path))
    assert policy["script-src"].startswith("script-src 'self'")
    assert policy["object-src"] == "object-src 'none'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert policy["base-uri"] == "base-uri 'self'"
    assert policy["default-src"] == "default-src 'self'"
    header = Client().get(path)["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    assert "http:" not in header and "https:" not in header  # nothing from elsewhere


def test_error_and_staff_pages_carry_it_too(cast):
    assert "object-src 'none'" in Client().get("/no-such-page/")["Content-Security-Policy"]
    response = cast.client(cast.officer_a).get("/workspace/")
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_a_page_that_uses_the_nonce_gets_it_in_the_header(rf):
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.template import Context, Template

    def view(request):
        html = Template('<script nonce="{{ request.csp_nonce }}">1</script>').render(
            Context({"request": request})
        )
        return HttpResponse(html)

    request = rf.get("/")
    response = CSPMiddleware(view)(request)
    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


def test_templates_have_no_inline_script_style_or_handlers():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"<script\b[^>]*>", text):
            tag = match.group(0)
            if "src=" not in tag and "csp_nonce" not in tag and "application/json" not in tag:
                offenders.append(f"{path}: {tag}")
        if re.search(r"<style\b", text):
            offenders.append(f"{path}: <style>")
        for attr in re.findall(r"\s(on[a-z]+)=[\"']", text):
            offenders.append(f"{path}: {attr}= handler")
        if re.search(r"\sstyle=[\"']", text):
            offenders.append(f"{path}: style= attribute")
        if "javascript:" in text:
            offenders.append(f"{path}: javascript: URL")
    assert offenders == []
