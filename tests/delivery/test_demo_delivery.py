"""The demo shows roadmap items with linked work and progress, with no tracker to reach."""

import pytest
from django.core.management import call_command

from delivery.models import ItemDelivery, WorkLink


@pytest.fixture
def loaded(db, settings):
    settings.DEMO_PASSWORD = "s3cret-demo"
    settings.GITHUB_API_URL = "http://127.0.0.1:9"  # nothing listens: no request may be made
    call_command("load_demo")


def test_demo_items_show_linked_work_and_progress_on_the_internal_roadmap(loaded, client, employee):
    client.force_login(employee)

    page = client.get("/roadmap/internal/").content.decode()

    assert "3 of 5 done" in page
    assert "https://github.com/meshvpn/meshvpn/pull/4121" in page
    assert "shipped in 1.60" in page


def test_loading_the_demo_twice_adds_no_links(loaded):
    links = WorkLink.objects.count()

    call_command("load_demo")

    assert WorkLink.objects.count() == links > 0
    assert ItemDelivery.objects.filter(total_count__gt=0).count() == 4
