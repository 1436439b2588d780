"""Who may open what, for every URL pattern the project has: the patterns are read from the URL
configuration, so a new view without an expectation here fails the test until someone says who
may open it. A refusal reveals nothing: a redirect to a login page, 401, 403 or 404, and no
internal text or another organization's name in the body.
"""

import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib.admin.utils import quote
from django.urls import URLPattern, URLResolver, get_resolver

from intake.roles import PM_APPS, PM_NO_DELETE
from tests.factories import IdeaFactory, OrganizationFactory, SignalFactory, UserFactory
from tests.roadmap.factories import CustomerAccountFactory, CustomerItemFactory, ShareLinkFactory
from tests.rollout.factories import FlagFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "customer", "other_customer", "employee", "sales", "pm", "superuser"]
EMPLOYEES = {"employee", "sales", "pm", "superuser"}
CUSTOMERS = {"customer", "other_customer"}
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
SECRETS = ("INTERNAL-NOTE-7f3a", "Secretive Org A")  # never in a refusal; the first never outside

# Site pages and the API, by URL name: the roles that may open them.
ALLOWED = {
    "home": EVERYONE,
    "submit": EMPLOYEES, "submit-similar": EMPLOYEES, "my": EMPLOYEES,
    "submit-sales": {"sales", "superuser"},
    "planning": EMPLOYEES,
    "roadmap:public": EVERYONE, "roadmap:feed": EVERYONE, "roadmap:shared": EVERYONE,
    "roadmap:internal": EMPLOYEES,
    "roadmap:customer": CUSTOMERS | EMPLOYEES,
    "roadmap:share-links": {"sales", "superuser"},
    "roadmap:revoke-share-link": {"sales", "superuser"},
    # Following by e-mail: anyone (the double opt-in and signed links are the protection).
    "roadmap:follow": EVERYONE, "roadmap:follow-confirm": EVERYONE,
    "roadmap:follow-unsubscribe": EVERYONE,
    "api-public-roadmap": EVERYONE, "api-schema": EVERYONE,
    "api-customer-roadmap": CUSTOMERS, "api-customer-ideas": CUSTOMERS,
    "api-ideas": EMPLOYEES, "api-idea": EMPLOYEES, "api-roadmap": EMPLOYEES,
    "api-signals": EMPLOYEES,
    "api-tokens": {"pm", "superuser"}, "revoke-api-token": {"pm", "superuser"},
    "login": EVERYONE, "logout": EVERYONE,
    "password_change": SIGNED_IN, "password_change_done": SIGNED_IN,
    "password_reset": EVERYONE, "password_reset_done": EVERYONE,
    "password_reset_confirm": EVERYONE, "password_reset_complete": EVERYONE,
    "oidc_authentication_init": EVERYONE, "oidc_authentication_callback": EVERYONE,
    "oidc_logout": EVERYONE,
    "healthz": EVERYONE,
    "client-versions": {"pm", "superuser"},
    "rollout:flag-history": EMPLOYEES,
    "rollout:early-access": CUSTOMERS,
    "roadmap:customer-interest": CUSTOMERS, "roadmap:customer-request": CUSTOMERS,
    "roadmap:customer-similar": CUSTOMERS,
    # Not for people: flag evaluation needs an SDK key, Slack's events its signature.
    "rollout:ofrep-bulk": set(), "rollout:ofrep-flag": set(), "rollout:flagd-json": set(),
    "slack-events": set(),
}  # fmt: skip
# Admin pages every staff member may open, whatever the model permissions.
ADMIN_FOR_STAFF = {"index", "password_change", "password_change_done", "jsi18n", "autocomplete",
                   "view_on_site", None}  # fmt: skip
ADMIN_FOR_ALL = {"login", "logout"}
# Admin pages closed to everyone by design: rows only the app writes, history nobody deletes,
# and the autocomplete (no admin uses autocomplete fields).
ADMIN_FOR_NOBODY = {
    "autocomplete", "roadmap_sharelink_add", "roadmap_notification_add",
    "roadmap_webhookdelivery_add", "roadmap_sourcecomment_add", "intake_signal_add",
    "intake_inboxsignal_add", "intake_mergerecord_add", "scoring_scoringpolicy_delete",
    "scoring_bridgecriterion_delete", "connectors_syncrun_add", "planning_planimport_add",
    "accounts_apitoken_add", "axes_accessattempt_add", "axes_accesslog_add",
    "axes_accessfailurelog_add", "intake_outboxevent_add", "rollout_sdkkey_add",
    "rollout_clientversioncount_add", "rollout_earlyaccessrequest_add",
    "slackbot_slacknotification_add", "crm_accountownernotice_add",
}  # fmt: skip

# Views that answer 404 to a role allowed to open them, and why that is right. Any other 404 for
# an allowed role is a view nobody can reach (or a sample here that misses its row).
NOT_FOUND_IS_RIGHT = {
    None: "the admin's catch-all for a URL that names no admin page",
    "admin:view_on_site": "no model has a page on the site (none has get_absolute_url)",
    "oidc_authentication_init": "single sign-on is off unless OIDC_ISSUER and OIDC_CLIENT_ID "
    "are set (tests/accounts/test_single_sign_on.py covers it on)",
    "oidc_authentication_callback": "as oidc_authentication_init",
    "roadmap:revoke-share-link": "a sales rep revokes only their own links (the sample is the "
    "sales rep's); a superuser revokes anyone's in the admin",
}
# Admin pages that show only some of their model's rows: the sample is one of those.
ADMIN_ROWS = {"intake.inboxsignal": {"idea__isnull": True}}


@dataclass(frozen=True)
class Route:
    path: str
    name: str | None  # "namespace:name"
    namespace: str | None


def _routes(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern),
                               pattern.namespace or namespace)  # fmt: skip
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield Route(prefix + str(pattern.pattern), name, namespace)


def all_routes() -> list[Route]:
    return list(_routes(get_resolver().url_patterns))


def admin_allowed(route: Route) -> set[str]:
    """Staff get the admin; a PM the product's apps (less deleting signals); superusers all."""
    name = route.name.split(":", 1)[1] if route.name else None
    if name in ADMIN_FOR_NOBODY:
        return set()
    if name in ADMIN_FOR_ALL:
        return EVERYONE
    if name in ADMIN_FOR_STAFF - {"autocomplete"} or name == "app_list":
        return {"pm", "superuser"}
    app, _, rest = route.path.removeprefix("admin/").partition("/")
    model = rest.split("/", 1)[0]
    if app in PM_APPS and not (name.endswith("_delete") and (app, model) in PM_NO_DELETE):
        return {"pm", "superuser"}
    return {"superuser"}


def expected_roles(route: Route) -> set[str]:
    if route.namespace == "admin":
        return admin_allowed(route)
    if route.name not in ALLOWED:
        pytest.fail(f"{route.path} ({route.name}) is not in the role matrix: say who may open it")
    return ALLOWED[route.name]


def url_for(route: Route, samples: dict[str, str]) -> str:
    row = _admin_object_id(route)
    samples = {**samples, **samples["by_route"].get(route.name, {})}
    if row:
        samples.update(object_id=row, pk=row, id=row)
    path = route.path.replace("^", "").replace("$", "")
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: samples[m.group(1)], path)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: samples[m.group(1)], path)
    return "/" + path.replace("\\", "")


def _admin_object_id(route: Route) -> str | None:
    """The id of a row of the admin page's model, so that its pages are really reached."""
    if (
        route.namespace != "admin"
        or not any(arg in route.path for arg in ("<path:object_id>", "<int:pk>", "<id>"))
        or route.name == "admin:view_on_site"
    ):
        return None
    app, model = route.path.removeprefix("admin/").split("/")[:2]
    rows = apps.get_model(app, model).objects.filter(**ADMIN_ROWS.get(f"{app}.{model}", {}))
    row = rows.order_by("pk").first()
    return quote(str(row.pk)) if row else "0"


def to_login(response) -> bool:
    return response.status_code == 302 and "login" in response["Location"]


def refused(response) -> bool:
    return response.status_code in (401, 403, 404) or to_login(response)


def missing_object(response) -> bool:
    """The admin's answer for a row that does not exist: back to the index, nothing shown."""
    return response.status_code == 302 and response["Location"] == "/admin/"


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS)
    org_a, org_b = OrganizationFactory(name="Secretive Org A"), OrganizationFactory()
    customer, other = UserFactory(username="carla"), UserFactory(username="otto")
    CustomerAccountFactory(user=customer, organization=org_a)
    CustomerAccountFactory(user=other, organization=org_b)
    pm = UserFactory(username="pat", groups=["Employee", "PM"], is_staff=True)
    users = {
        "anonymous": None, "customer": customer, "other_customer": other,
        "employee": UserFactory(username="emma", groups=["Employee"]),
        "sales": UserFactory(username="sam", groups=["Employee", "Sales"]), "pm": pm,
        "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
    }  # fmt: skip
    idea = IdeaFactory(internal_notes="INTERNAL-NOTE-7f3a")
    SignalFactory(idea=idea, source="sales", organization=org_a)
    # In the inbox, with a duplicate to attach to.
    SignalFactory(idea=None, closest_idea=idea, closest_similarity=0.9, likely_idea=idea)
    flag = FlagFactory()
    item = CustomerItemFactory(ideas=[idea], internal_notes="INTERNAL-NOTE-7f3a")
    link = ShareLinkFactory(organization=org_b, created_by=users["sales"])
    from accounts.services import create_api_token

    token, _ = create_api_token(user=pm, name="matrix")
    samples = {
        "pk": str(link.pk) , "object_id": str(idea.pk), "token": link.token,
        "digest": token.digest, "uidb64": "MQ", "app_label": "intake", "url": "nothing/",
        "content_type_id": "1", "id": str(idea.pk), "key": flag.key,
        "item_id": str(item.pk),
        # Where one argument name means different rows (ids differ on PostgreSQL).
        "by_route": {"api-idea": {"pk": str(idea.pk)}},
    }  # fmt: skip
    return users, samples


@pytest.mark.parametrize("role", ROLES)
def test_every_url_allows_and_refuses_the_right_roles(client, world, role):
    users, samples = world
    wrong, checked = [], 0
    for route in all_routes():
        if users[role] is not None and "_auth_user_id" not in client.session:
            client.force_login(users[role])  # again after a logout URL
        allowed = role in expected_roles(route)
        url = url_for(route, samples)
        response = client.get(url)
        if response.status_code == 405:  # a POST-only view: its role check is on POST
            response = client.post(url)
        checked += 1
        body = b"".join(response) if response.streaming else response.content
        # Allowed: not sent to log in, not forbidden, and found (the samples are real rows).
        if allowed and (to_login(response) or response.status_code in (401, 403)):
            wrong.append(f"{url}: {role} refused ({response.status_code})")
        elif allowed and response.status_code == 404 and route.name not in NOT_FOUND_IS_RIGHT:
            wrong.append(f"{url}: {role} may open it but found nothing (404)")
        elif not allowed and not (refused(response) or missing_object(response)):
            wrong.append(f"{url}: {role} let in ({response.status_code})")
        elif not allowed and any(secret.encode() in body for secret in SECRETS):
            wrong.append(f"{url}: the refusal shows a secret")
        elif role in CUSTOMERS | {"anonymous"} and SECRETS[0].encode() in body:
            wrong.append(f"{url}: internal notes shown to {role}")
        if response.status_code == 500:
            wrong.append(f"{url}: 500")
    print(f"role matrix: {role}: {checked} URL patterns checked")
    assert checked >= 200
    assert wrong == [], "\n".join(wrong)
