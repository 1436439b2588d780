"""Single sign-on through the whole redirect flow, against a real OpenID Connect provider: the
npm package `oidc-provider` (OpenID Certified), run by Node.js on 127.0.0.1 by the test."""

import html
import json
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
from django.contrib.auth.models import User

from tests.conftest import _missing_service
from tests.factories import UserFactory

# Live-server tests run in committed transactions; serialized rollback leaves the database as
# the next tests (the browser ones among them) expect it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PROVIDER_DIR = Path(__file__).resolve().parent.parent / "oidc"
CLIENT_ID, CLIENT_SECRET = "idea-intake", "s3cret-for-tests-only"
ACCOUNTS = {
    "alice": {"email": "alice@corp.example", "email_verified": True, "given_name": "Alice",
              "preferred_username": "alice", "groups": ["eng", "product-managers"]},
    "bob": {"email": "bob@corp.example", "email_verified": True, "given_name": "Bob",
            "preferred_username": "bob", "groups": ["sales-emea"]},
    "carol": {"email": "carol@corp.example", "email_verified": True,
              "preferred_username": "carol", "groups": []},
    # The provider does not vouch for these e-mails: marked unverified, or not marked at all.
    "dave": {"email": "dave@corp.example", "email_verified": False, "given_name": "Mallory",
             "preferred_username": "dave", "groups": ["product-managers"]},
    "erin": {"email": "erin@corp.example", "preferred_username": "erin", "groups": []},
}  # fmt: skip


def _node_ready() -> None:
    if not (shutil.which("node") and shutil.which("npm")):
        _missing_service("Node.js and npm are not installed: the OIDC provider needs them")
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").exists():
        installed = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=PROVIDER_DIR, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        if installed.returncode != 0:
            _missing_service(f"npm ci of oidc-provider failed: {installed.stderr[-500:]}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def provider(live_server, settings):
    _node_ready()
    port = _free_port()
    env = {
        **os.environ, "PORT": str(port), "CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URI": f"{live_server.url}/oidc/callback/", "ACCOUNTS": json.dumps(ACCOUNTS),
    }  # fmt: skip
    process = subprocess.Popen(
        ["node", "provider.mjs"], cwd=PROVIDER_DIR, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        issuer = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            pytest.fail("the OIDC provider did not start")
        settings.OIDC_ISSUER = issuer
        settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
        settings.OIDC_SALES_GROUPS = ["sales-emea", "sales-us"]
        settings.OIDC_PM_GROUPS = ["product-managers"]
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)


def _form(page: requests.Response) -> tuple[str, dict]:
    action = html.unescape(re.search(r'<form[^>]*action="([^"]+)"', page.text).group(1))
    fields = dict(re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"',
                             page.text))  # fmt: skip
    return requests.compat.urljoin(page.url, action), fields


def sign_in(base_url: str, login: str) -> requests.Session:
    """Click "Sign in with …" on the login page, log in and consent at the provider."""
    browser = requests.Session()
    login_page = browser.get(f"{base_url}/accounts/login/?next=/my/")
    start = re.search(r'href="(/oidc/authenticate/[^"]*)"', login_page.text).group(1)
    page = browser.get(base_url + html.unescape(start))  # to the provider's login page
    action, fields = _form(page)
    page = browser.post(action, data={**fields, "login": login, "password": "any"})
    if 'value="consent"' in page.text:
        action, fields = _form(page)
        page = browser.post(action, data=fields)  # back to the callback, then to `next`
    browser.last_page = page
    return browser


def test_the_login_page_offers_single_sign_on_when_configured(client, provider):
    assert "Sign in with your company account" in client.get("/accounts/login/").content.decode()


def test_a_new_pm_signs_in_through_the_provider_and_lands_where_they_were_going(
    live_server, provider
):
    browser = sign_in(live_server.url, "alice")

    assert browser.last_page.url == f"{live_server.url}/my/"
    assert "Log out alice" in browser.last_page.text
    user = User.objects.get(username="alice")
    assert user.email == "alice@corp.example" and user.first_name == "Alice"
    assert set(user.groups.values_list("name", flat=True)) == {"Employee", "PM"}
    assert user.is_staff and not user.has_usable_password()
    assert browser.get(f"{live_server.url}/admin/").status_code == 200


def test_provider_groups_map_to_sales_and_plain_employees(live_server, provider):
    sign_in(live_server.url, "bob")
    sign_in(live_server.url, "carol")
    roles = {u.username: set(u.groups.values_list("name", flat=True))
             for u in User.objects.filter(username__in=["bob", "carol"])}  # fmt: skip
    assert roles == {"bob": {"Employee", "Sales"}, "carol": {"Employee"}}


def test_losing_a_group_at_the_provider_loses_the_role_at_next_sign_in(live_server, provider):
    user = UserFactory(username="carol", email="carol@corp.example", groups=["Employee", "PM"])
    user.is_staff = True
    user.save()
    sign_in(live_server.url, "carol")
    user.refresh_from_db()
    assert set(user.groups.values_list("name", flat=True)) == {"Employee"}
    assert not user.is_staff


def test_an_unverified_email_is_not_linked_to_the_account_that_has_it(live_server, provider):
    user = UserFactory(username="dave", email="dave@corp.example", first_name="Dave")
    browser = sign_in(live_server.url, "dave")

    assert browser.last_page.status_code == 403
    assert "Your e-mail address is not verified" in browser.last_page.text
    assert "Verify your e-mail address with your company account" in browser.last_page.text
    assert "Log out" not in browser.get(f"{live_server.url}/my/").text
    user.refresh_from_db()
    assert user.first_name == "Dave" and user.last_login is None
    assert not user.groups.filter(name="PM").exists()


def test_an_email_the_provider_does_not_mark_verified_makes_no_new_account(live_server, provider):
    browser = sign_in(live_server.url, "erin")

    assert browser.last_page.status_code == 403
    assert "Your e-mail address is not verified" in browser.last_page.text
    assert not User.objects.filter(email="erin@corp.example").exists()


def test_oidc_only_turns_password_login_off_except_for_superusers(live_server, provider, settings):
    settings.OIDC_ONLY = True
    UserFactory(username="emma", groups=["Employee"])
    UserFactory(username="root", is_superuser=True, is_staff=True)
    browser = requests.Session()

    def password_login(username: str) -> requests.Response:
        page = browser.get(f"{live_server.url}/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return browser.post(
            f"{live_server.url}/accounts/login/",
            data={"csrfmiddlewaretoken": token, "username": username, "password": "pw-for-tests"},
        )

    assert "administrators only" in browser.get(f"{live_server.url}/accounts/login/").text
    assert "Log out emma" not in password_login("emma").text
    assert "Log out root" in password_login("root").text
    assert "Log out alice" in sign_in(live_server.url, "alice").last_page.text


def test_without_configuration_there_is_no_sign_in_button_and_no_endpoint(client, settings):
    settings.OIDC_ISSUER = ""
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()
    assert client.get("/oidc/authenticate/").status_code == 404
