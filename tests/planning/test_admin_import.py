import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from planning.models import PlanImport
from roadmap.models import RoadmapItem
from tests.factories import UserFactory
from tests.planning.plans import plan_bytes, row

pytestmark = pytest.mark.django_db

UPLOAD = reverse("admin:planning_planimport_upload")


def _upload(client, data: bytes, **fields):
    return client.post(UPLOAD, {"file": SimpleUploadedFile("plan.csv", data), **fields})


def test_upload_previews_then_confirm_imports(client, pm, plan_people):
    client.force_login(pm)
    data = plan_bytes([row("Relay failover", pm="New Person"), row("SCIM", stage="Alpha")])
    preview = _upload(client, data)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Would import 2 row(s): 2 new, 0 updated, 0 unchanged." in page
    assert "New Person (new.person)" in page
    assert not RoadmapItem.objects.exists()

    plan_import = PlanImport.objects.get()
    response = client.post(reverse("admin:planning_planimport_confirm", args=[plan_import.pk]))
    assert response.status_code == 302
    assert RoadmapItem.objects.count() == 2
    plan_import.refresh_from_db()
    assert (plan_import.status, plan_import.created, plan_import.uploaded_by) == (
        "applied",
        2,
        pm,
    )
    record = client.get(response.url).content.decode()
    assert "Imported 2 row(s)" in record


def test_a_second_click_on_import_changes_nothing(client, pm, plan_people):
    client.force_login(pm)
    _upload(client, plan_bytes([row("Relay failover")]))
    confirm = reverse("admin:planning_planimport_confirm", args=[PlanImport.objects.get().pk])
    client.post(confirm)
    response = client.post(confirm)
    assert response.status_code == 302
    assert RoadmapItem.objects.count() == 1


def test_preview_lists_updates_with_the_changed_columns(client, pm, plan_people):
    client.force_login(pm)
    from planning import services

    services.import_plan(data=plan_bytes([row("Relay failover", key="K1")]))
    page = _upload(client, plan_bytes([row("Relay failover", key="K1", stage="GA")]))
    assert "Update: Stage" in page.content.decode()


def test_upload_with_errors_shows_them_on_the_page_and_keeps_nothing(client, pm, plan_people):
    client.force_login(pm)
    response = _upload(client, plan_bytes([row("<b>Relay</b>", stage="<i>Soon</i>")]))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Errors: nothing was imported" in page
    assert "Unknown stage &quot;&lt;i&gt;Soon&lt;/i&gt;&quot;" in page
    assert not PlanImport.objects.exists()


def test_upload_of_a_non_plan_file_is_a_clear_error(client, pm):
    client.force_login(pm)
    response = _upload(client, b"\x89PNG\r\n\x1a\n\x00\x00binary")
    assert response.status_code == 400
    assert "No header row found" in response.content.decode()


def test_upload_without_a_file_asks_for_one(client, pm):
    client.force_login(pm)
    response = client.post(UPLOAD, {"quarter": "Q4 FY26"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_upload_over_the_size_limit_is_refused(client, pm, settings):
    settings.PLANNING_MAX_IMPORT_BYTES = 50
    client.force_login(pm)
    response = _upload(client, plan_bytes([row("x" * 60)]))
    assert response.status_code == 400
    assert "larger than" in response.content.decode()


def test_confirming_someone_elses_preview_is_not_found(client, pm, plan_people):
    client.force_login(pm)
    _upload(client, plan_bytes([row("Relay failover")]))
    other = UserFactory(username="other-pm", groups=["Employee", "PM"])
    other.is_staff = True
    other.save()
    client.force_login(other)
    plan_import = PlanImport.objects.get()
    response = client.post(reverse("admin:planning_planimport_confirm", args=[plan_import.pk]))
    assert response.status_code == 404
    assert not RoadmapItem.objects.exists()


def test_staff_without_roadmap_permissions_cannot_import(client):
    clerk = UserFactory(username="clerk")
    clerk.is_staff = True
    clerk.save()
    client.force_login(clerk)
    assert client.get(UPLOAD).status_code == 403


def test_employees_who_are_not_staff_are_sent_to_the_admin_login(client, employee):
    client.force_login(employee)
    response = client.get(UPLOAD)
    assert response.status_code == 302
    assert "/admin/login/" in response.url
