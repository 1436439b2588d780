import pytest
from django.urls import reverse

from intake.models import Idea
from tests.factories import IdeaFactory

pytestmark = pytest.mark.django_db


def test_typed_title_shows_similar_ideas_first(client, employee):
    dark = IdeaFactory(title="Dark mode for the admin console")
    IdeaFactory(title="Rotate node keys every 90 days")
    client.force_login(employee)
    results = client.get(reverse("submit-similar"), {"q": "dark mode admin"}).json()["results"]
    assert [r["id"] for r in results][:1] == [dark.pk]


def test_at_most_five_suggestions_and_never_merged_ideas(client, employee):
    for n in range(8):
        IdeaFactory(title=f"SAML login variant {n}")
    survivor = IdeaFactory(title="SAML login")
    IdeaFactory(title="SAML login twin", status=Idea.Status.MERGED, merged_into=survivor)
    client.force_login(employee)
    results = client.get(reverse("submit-similar"), {"q": "SAML login"}).json()["results"]
    assert len(results) == 5
    assert "SAML login twin" not in [r["title"] for r in results]


def test_suggestions_need_an_employee(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("submit-similar"), {"q": "x"}).status_code == 403
