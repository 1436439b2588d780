import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from intake.models import Idea, Organization, Signal

pytestmark = pytest.mark.django_db


def test_demo_company_has_ideas_signals_from_every_source_and_role_users(settings):
    settings.DEMO_PASSWORD = "s3cret-demo"
    call_command("load_demo")
    assert 190 <= Idea.objects.count() <= 210
    assert 750 <= Signal.objects.count() <= 850
    assert set(Signal.objects.values_list("source", flat=True)) == set(Signal.Source.values)
    assert Signal.objects.filter(idea__isnull=True).exists()
    assert Organization.objects.count() >= 20
    for username in ("employee", "sales", "pm", "admin"):
        assert authenticate(username=username, password="s3cret-demo") is not None


def test_demo_loads_only_once():
    call_command("load_demo")
    ideas = Idea.objects.count()
    call_command("load_demo")
    assert Idea.objects.count() == ideas
