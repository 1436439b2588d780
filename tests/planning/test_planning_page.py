import pytest
from django.urls import reverse

from tests.planning.plans import import_rows, row
from tests.planning.test_planning_health import SMALL_PLAN

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("planning"))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_users_outside_the_company_are_refused(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("planning")).status_code == 403


@pytest.mark.parametrize("who", ["employee", "sales_rep", "pm", "superuser"])
def test_every_employee_reads_the_page(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("planning")).status_code == 200


def test_page_shows_the_quarters_figures_charts_and_flags(client, employee, plan_people):
    import_rows(SMALL_PLAN)
    client.force_login(employee)
    response = client.get(reverse("planning"), {"quarter": "Q4 FY26", "max_items": "2"})
    page = response.content.decode()
    assert "Planning health: Q4 FY26" in page
    assert "5 items in Q4 FY26" in page
    assert '<td class="num">33% (2 of 6)</td>' in page
    assert "Priya Nair carries 3 items, more than 2." in page
    assert "Priya Nair has 33% of the required docs, less than 50%." in page
    assert "<svg" in page and "3 (1 committed)" in page
    assert "1.8" in page
    assert "Problem doc and one-pager" in page
    assert '<option value="Q1 FY27">' in page


def test_page_escapes_plan_text(client, employee, plan_people):
    report = import_rows([row("A", pm="<img src=x onerror=alert(1)>", team="<b>Team</b>")])
    assert report.applied
    client.force_login(employee)
    page = client.get(reverse("planning")).content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<b>Team</b>" not in page and "&lt;b&gt;Team&lt;/b&gt;" in page


@pytest.mark.parametrize(
    "params", [{"quarter": "Q9 FY99"}, {"max_items": "lots"}, {"min_docs": "150"}]
)
def test_bad_parameters_are_a_400_with_the_form(client, employee, plan_people, params):
    import_rows([row("A")])
    client.force_login(employee)
    response = client.get(reverse("planning"), params)
    assert response.status_code == 400
    assert "Check the highlighted fields" in response.content.decode()


def test_empty_roadmap_explains_how_to_import(client, employee):
    client.force_login(employee)
    assert "import_plan" in client.get(reverse("planning")).content.decode()


def test_query_count_does_not_grow_with_the_plan(client, employee, plan_people,
                                                 django_assert_num_queries):  # fmt: skip
    import_rows([row("A", dependencies="Client")])
    client.force_login(employee)
    client.get(reverse("planning"))
    # 7 for planning health, 2 for the rollout section (stale flags, items without a flag).
    with django_assert_num_queries(9):
        client.get(reverse("planning"))
    import_rows(
        [row(f"Item {n}", pm=f"PM {n % 7}", team=f"Team {n % 9}", dependencies="Client, Platform")
         for n in range(60)]
    )  # fmt: skip
    with django_assert_num_queries(9):
        client.get(reverse("planning"))
