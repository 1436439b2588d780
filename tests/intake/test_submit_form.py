import pytest
from django.urls import reverse

from intake.models import Idea, Signal
from tests.factories import IdeaFactory

pytestmark = pytest.mark.django_db


def test_employee_submission_creates_new_idea_and_shows_under_my(client, employee):
    client.force_login(employee)
    response = client.post(
        reverse("submit"),
        {"title": "Exit node per app", "description": "Route *one* app", "pillar": "feature"},
    )
    assert response.status_code == 302
    assert response.url == reverse("my")
    signal = Signal.objects.get()
    assert signal.source == Signal.Source.EMPLOYEE
    assert signal.author_email == employee.email
    assert signal.idea.status == Idea.Status.NEW
    assert signal.idea.title == "Exit node per app"
    page = client.get(reverse("my")).content.decode()
    assert "Exit node per app" in page
    assert "<em>one</em>" in page


def test_this_is_my_idea_too_adds_signal_to_existing_idea(client, employee):
    existing = IdeaFactory(title="Dark mode for the admin console")
    client.force_login(employee)
    client.post(
        reverse("submit"),
        {"title": "Dark theme please", "pillar": "feature", "idea": str(existing.pk)},
    )
    assert Idea.objects.count() == 1
    assert Signal.objects.get().idea == existing


def test_backing_a_merged_idea_lands_on_its_survivor(client, employee):
    survivor = IdeaFactory()
    merged = IdeaFactory(status=Idea.Status.MERGED, merged_into=survivor)
    client.force_login(employee)
    client.post(reverse("submit"), {"title": "Same", "pillar": "feature", "idea": merged.pk})
    assert Signal.objects.get().idea == survivor


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "pillar": "feature"}, "title"),
        ({"title": "   ", "pillar": "feature"}, "title"),
        ({"title": "x" * 201, "pillar": "feature"}, "title"),
        ({"title": "Fine", "pillar": "cosmetics"}, "pillar"),
        ({"title": "Fine", "pillar": "feature", "idea": "999999"}, "idea"),
    ],
)
def test_bad_input_gets_field_errors_and_saves_nothing(client, employee, data, field):
    client.force_login(employee)
    response = client.post(reverse("submit"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Idea.objects.exists()
    assert not Signal.objects.exists()


def test_long_title_is_refused_not_cut_short(client, employee):
    client.force_login(employee)
    response = client.post(reverse("submit"), {"title": "y" * 201, "pillar": "feature"})
    assert "200 characters" in response.content.decode()
    assert not Idea.objects.exists()


def test_script_in_text_never_runs_on_my_page(client, employee):
    client.force_login(employee)
    client.post(
        reverse("submit"),
        {
            "title": "<script>alert('t')</script>",
            "description": (
                "<img src=x onerror=alert(1)><script>alert(2)</script>[x](javascript:alert(3))"
            ),
            "pillar": "feature",
        },
    )
    page = client.get(reverse("my")).content.decode()
    assert "<script>alert" not in page
    assert "onerror" not in page
    assert "javascript:" not in page
    assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;" in page


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("submit"))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_user_without_employee_role_is_refused(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("submit")).status_code == 403
    assert client.get(reverse("my")).status_code == 403


def test_stale_csrf_token_gets_a_clear_message_and_saves_nothing(employee):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(employee)
    response = client.post(
        reverse("submit"), {"title": "Hi", "pillar": "feature", "csrfmiddlewaretoken": "stale"}
    )
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    assert not Signal.objects.exists()
