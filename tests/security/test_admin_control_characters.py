"""Admin forms refuse control characters with a field error, as every other way in does, and
save nothing."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from connectors.models import Connector
from intake.models import Idea, Organization, OrganizationDomain
from roadmap.models import RoadmapItem
from tests.factories import IdeaFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


class _FormFields(HTMLParser):
    """What a browser sends for the page's form `form_id`: its inputs, selects and textareas
    with their current values."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, {}
        self._select = self._textarea = None

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "name" not in attrs and tag != "option":
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "file"):
                self._add(attrs["name"], attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select":
            self._select = attrs["name"]
            self.data.setdefault(self._select, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self._add(self._textarea, "")

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self.inside = False


def _change_form(client, url: str, form_id: str) -> dict:
    page = client.get(url)
    assert page.status_code == 200
    parser = _FormFields(form_id)
    parser.feed(page.content.decode())
    # A textarea's first newline is not part of its value (HTML).
    return {k: [v.removeprefix("\n") for v in values] for k, values in parser.data.items()}


def _errors(response) -> dict:
    errors = dict(response.context["adminform"].form.errors)
    for formset in response.context["inline_admin_formsets"]:
        for form in formset.formset:
            errors.update({f"{formset.formset.prefix}-{k}": v for k, v in form.errors.items()})
    return errors


def test_an_idea_title_with_a_control_character_is_a_field_error(admin_client):
    idea = IdeaFactory(title="Dark mode")
    url = reverse("admin:intake_idea_change", args=[idea.pk])
    data = _change_form(admin_client, url, "idea_form")
    data["title"] = "Dark\x1b[2J mode"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "U+001B" in str(_errors(response)["title"])
    idea.refresh_from_db()
    assert idea.title == "Dark mode"


def test_the_same_form_saves_without_the_control_character(admin_client):
    # The form data the other tests send is complete: only the control character is refused.
    idea = IdeaFactory(title="Dark mode")
    url = reverse("admin:intake_idea_change", args=[idea.pk])
    data = _change_form(admin_client, url, "idea_form")
    data["title"] = "Dark mode, everywhere"
    assert admin_client.post(url, data).status_code == 302
    assert Idea.objects.get(pk=idea.pk).title == "Dark mode, everywhere"


def test_a_roadmap_item_description_with_a_nul_is_a_field_error(admin_client):
    item = RoadmapItem.objects.create(title="SSO", public_description="Sign in once.")
    url = reverse("admin:roadmap_roadmapitem_change", args=[item.pk])
    data = _change_form(admin_client, url, "roadmapitem_form")
    data["public_description"] = "Sign in\x00 once."
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "U+0000" in str(_errors(response)["public_description"])
    item.refresh_from_db()
    assert item.public_description == "Sign in once."


def test_a_roadmap_item_keeps_its_line_breaks_and_tabs(admin_client):
    item = RoadmapItem.objects.create(title="SSO")
    url = reverse("admin:roadmap_roadmapitem_change", args=[item.pk])
    data = _change_form(admin_client, url, "roadmapitem_form")
    data["public_description"] = "Sign in once.\r\n\tWith SAML."
    assert admin_client.post(url, data).status_code == 302
    item.refresh_from_db()
    assert item.public_description == "Sign in once.\r\n\tWith SAML."


def test_an_organization_name_with_a_c1_control_is_a_field_error(admin_client):
    organization = OrganizationFactory(name="Acme")
    url = reverse("admin:intake_organization_change", args=[organization.pk])
    data = _change_form(admin_client, url, "organization_form")
    data["name"] = "Ac\x85me"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "U+0085" in str(_errors(response)["name"])
    assert Organization.objects.get(pk=organization.pk).name == "Acme"


def test_an_e_mail_domain_in_the_inline_rows_with_a_control_character_is_refused(admin_client):
    organization = OrganizationFactory(name="Acme")
    url = reverse("admin:intake_organization_change", args=[organization.pk])
    data = _change_form(admin_client, url, "organization_form")
    data["domains-0-domain"] = "acme\x07.com"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "U+0007" in str(_errors(response)["domains-domain"])
    assert not OrganizationDomain.objects.exists()


def test_connector_options_with_an_escaped_control_character_are_refused(admin_client):
    connector = Connector.objects.create(
        name="Community", kind="github", options={"repos": ["acme/vpn"]}
    )
    url = reverse("admin:connectors_connector_change", args=[connector.pk])
    data = _change_form(admin_client, url, "connector_form")
    data["options"] = '{"repos": ["acme/vpn\\u0000"]}'
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "U+0000" in str(_errors(response)["options"])
    connector.refresh_from_db()
    assert connector.options == {"repos": ["acme/vpn"]}


def test_a_user_name_in_djangos_own_user_admin_is_refused_too(admin_client):
    user = UserFactory(first_name="Ada")
    url = reverse("admin:auth_user_change", args=[user.pk])
    data = _change_form(admin_client, url, "user_form")
    data["first_name"] = "Ada\x1b"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "U+001B" in str(_errors(response)["first_name"])
    assert User.objects.get(pk=user.pk).first_name == "Ada"


def test_every_admin_page_is_hardened(client):
    from django.contrib import admin

    from intake.admin_hardening import HardenedAdminMixin

    reverse("admin:index")  # the URLconf, which hardens the libraries' pages, is loaded
    unhardened = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, HardenedAdminMixin)
    ]
    assert unhardened == []
