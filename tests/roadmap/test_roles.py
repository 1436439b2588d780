"""Who may open what: every roadmap page and API endpoint, for each of the six kinds of user."""

import pytest
from rest_framework.authtoken.models import Token

from tests.roadmap.factories import ShareLinkFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "customer", "employee", "sales", "pm", "superuser"]


@pytest.fixture
def as_role(request, client, customer, employee, sales_rep, pm, superuser):
    users = {
        "anonymous": None,
        "customer": customer,
        "employee": employee,
        "sales": sales_rep,
        "pm": pm,
        "superuser": superuser,
    }

    def login(role: str, *, api: bool = False):
        user = users[role]
        if user is not None:
            if api:
                token, _ = Token.objects.get_or_create(user=user)
                client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
            else:
                client.force_login(user)
        return client

    return login


LOGIN = "login"  # a redirect to the login page

PAGES = {
    "/roadmap/": dict.fromkeys(ROLES, 200),
    "/roadmap/feed/": dict.fromkeys(ROLES, 200),
    "/healthz": dict.fromkeys(ROLES, 200),  # states and ages only: nothing to hide
    "/roadmap/internal/": {
        "anonymous": LOGIN, "customer": 403, "employee": 200, "sales": 200, "pm": 200,
        "superuser": 200,
    },
    "/roadmap/customer/": {
        "anonymous": LOGIN, "customer": 200, "employee": 200, "sales": 200, "pm": 200,
        "superuser": 200,
    },
    "/roadmap/share/": {
        "anonymous": LOGIN, "customer": 403, "employee": 403, "sales": 200, "pm": 403,
        "superuser": 200,
    },
    "/admin/roadmap/roadmapitem/": {
        "anonymous": LOGIN, "customer": LOGIN, "employee": LOGIN, "sales": LOGIN, "pm": 200,
        "superuser": 200,
    },
    "/admin/roadmap/webhook/": {
        "anonymous": LOGIN, "customer": LOGIN, "employee": LOGIN, "sales": LOGIN, "pm": 200,
        "superuser": 200,
    },
    "/admin/roadmap/notification/": {
        "anonymous": LOGIN, "customer": LOGIN, "employee": LOGIN, "sales": LOGIN, "pm": 200,
        "superuser": 200,
    },
}  # fmt: skip

API = {
    "/api/public/roadmap/": dict.fromkeys(ROLES, 200),
    "/api/schema/": dict.fromkeys(ROLES, 200),
    "/api/customer/roadmap/": {
        "anonymous": 401, "customer": 200, "employee": 403, "sales": 403, "pm": 403,
        "superuser": 403,
    },
    "/api/customer/ideas/": {
        "anonymous": 401, "customer": 200, "employee": 403, "sales": 403, "pm": 403,
        "superuser": 403,
    },
    "/api/ideas/": {
        "anonymous": 401, "customer": 403, "employee": 200, "sales": 200, "pm": 200,
        "superuser": 200,
    },
    "/api/roadmap/": {
        "anonymous": 401, "customer": 403, "employee": 200, "sales": 200, "pm": 200,
        "superuser": 200,
    },
    "/api/signals/": {
        "anonymous": 401, "customer": 403, "employee": 200, "sales": 200, "pm": 200,
        "superuser": 200,
    },
}  # fmt: skip


def _check(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", list(PAGES))
def test_page_access_by_role(as_role, url, role):
    _check(as_role(role).get(url), PAGES[url][role])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", list(API))
def test_api_access_by_role(as_role, url, role):
    _check(as_role(role, api=True).get(url), API[url][role])


@pytest.mark.parametrize("role", ROLES)
def test_a_share_link_opens_for_whoever_holds_it(as_role, role):
    link = ShareLinkFactory()
    assert as_role(role).get(f"/roadmap/c/{link.token}/").status_code == 200


REVOKE = {
    "anonymous": LOGIN, "customer": 403, "employee": 403, "sales": 302, "pm": 403,
    "superuser": 404,
}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_only_the_rep_who_made_a_link_revokes_it(as_role, sales_rep, role):
    link = ShareLinkFactory(created_by=sales_rep)
    response = as_role(role).post(f"/roadmap/share/{link.pk}/revoke/")
    expected = REVOKE[role]
    if expected == 302:
        assert response["Location"] == "/roadmap/share/"
    else:
        _check(response, expected)
    link.refresh_from_db()
    assert (link.revoked_at is not None) == (role == "sales")


def test_a_logged_in_user_in_no_group_without_a_customer_account_is_refused(client, outsider):
    client.force_login(outsider)
    assert client.get("/roadmap/customer/").status_code == 403
    assert client.get("/roadmap/internal/").status_code == 403
