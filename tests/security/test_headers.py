"""Security headers: a CSP without inline code on every page, HSTS and secure cookies in
production, nosniff and Referrer-Policy everywhere."""

import json
import re
from pathlib import Path

import pytest

from tests.test_settings import PRODUCTION_ENV, _manage

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path, role",
    [("/", None), ("/accounts/login/", None), ("/roadmap/", None), ("/roadmap/feed/", None),
     ("/api/public/roadmap/", None), ("/submit/", "employee"), ("/roadmap/internal/", "employee"),
     ("/admin/", "pm"), ("/accounts/tokens/", "pm"), ("/planning/", "employee")],
)  # fmt: skip
def test_every_kind_of_page_carries_a_strict_policy(client, request, path, role):
    if role:
        client.force_login(request.getfixturevalue(role))
    response = client.get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_no_template_of_ours_has_inline_script_or_style():
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.I
    )
    # 503.html is standalone by design (rendered with the database down, no static files):
    # the policy blocks its inline style, which leaves that page's text plain.
    standalone = {ROOT / "templates" / "503.html"}
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in set((ROOT / "templates").rglob("*.html")) - standalone
        for match in inline.finditer(path.read_text())
    ]
    assert found == []


def test_production_sends_hsts_secure_cookies_and_redirects_to_https():
    # Static files may not be collected in a checkout: plain storage, so the page renders.
    script = (
        "from django.test import Client; from django.test.utils import override_settings;"
        "import json; c = Client(); from django.conf import settings;"
        "override_settings(STORAGES={**settings.STORAGES, 'staticfiles': {'BACKEND':"
        " 'django.contrib.staticfiles.storage.StaticFilesStorage'}}).enable();"
        "s = c.get('/accounts/login/', secure=True, HTTP_HOST='ideas.example.com',"
        " HTTP_X_FORWARDED_PROTO='https');"
        "p = c.get('/accounts/login/', HTTP_HOST='ideas.example.com');"
        "print(json.dumps({'status': s.status_code, 'headers': dict(s.headers),"
        " 'cookie': s.cookies['csrftoken'].output(), 'plain': p.status_code,"
        " 'location': p.get('Location', '')}))"
    )
    result = _manage("shell", "-c", script, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    headers = seen["headers"]
    assert seen["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Secure" in seen["cookie"]
    assert seen["plain"] == 301 and seen["location"].startswith("https://")
