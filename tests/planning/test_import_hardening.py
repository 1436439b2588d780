"""Hostile or damaged plan files get clear errors, never database errors, and save nothing."""

import logging

import pytest
from django.db import IntegrityError

from intake.models import Team
from planning import csv_plan, services
from planning.models import PlanEntry
from roadmap.models import RoadmapItem
from tests.planning.plans import import_rows, row

pytestmark = pytest.mark.django_db


def _errors(report) -> list[tuple]:
    return [(e.row, e.column) for e in report.errors]


def test_a_cell_with_a_nul_character_is_a_row_error(plan_people):
    report = import_rows([row("Relay failover"), row("Exit\x00nodes", pm="Priya\x00 Nair")])
    assert not report.ok
    assert _errors(report) == [(3, "Item"), (3, "PM")]
    assert "U+0000" in str(report.errors[0])
    assert not RoadmapItem.objects.exists()


def test_skip_invalid_imports_the_rows_without_nul_characters(plan_people):
    report = import_rows([row("Relay failover"), row("Exit\x00nodes")], skip_invalid=True)
    assert report.applied and report.skipped_rows == [3]
    assert list(RoadmapItem.objects.values_list("title", flat=True)) == ["Relay failover"]


def test_more_than_twenty_dependency_teams_in_a_cell_is_a_row_error(plan_people):
    teams = ", ".join(f"Team {n}" for n in range(csv_plan.MAX_DEPENDENCIES + 1))
    report = import_rows([row("Relay failover", dependencies=teams)])
    assert _errors(report) == [(2, "Dependencies")]
    assert "at most 20" in str(report.errors[0])
    assert not Team.objects.filter(name="Team 0").exists()


def test_twenty_dependency_teams_in_a_cell_are_fine(plan_people):
    teams = ", ".join(f"Team {n}" for n in range(csv_plan.MAX_DEPENDENCIES))
    report = import_rows([row("Relay failover", dependencies=teams)])
    assert report.applied
    assert RoadmapItem.objects.get().dependent_teams.count() == csv_plan.MAX_DEPENDENCIES


def test_a_plan_creating_more_than_fifty_new_teams_is_refused(plan_people):
    rows = [row(f"Item {n}", team=f"New team {n}") for n in range(services.MAX_NEW_TEAMS + 1)]
    report = import_rows(rows, skip_invalid=True)
    assert not report.ok and not report.applied
    message = str(report.errors[0])
    assert f"names {services.MAX_NEW_TEAMS + 1} new teams" in message
    assert "New team 0" in message
    assert not Team.objects.filter(name__startswith="New team").exists()
    assert not RoadmapItem.objects.exists()


def test_a_database_refusal_is_logged_but_not_shown(plan_people, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise IntegrityError('duplicate key value violates unique constraint "secret_index"')

    monkeypatch.setattr(PlanEntry.objects, "bulk_create", refuse)
    with caplog.at_level(logging.ERROR, logger="planning.services"):
        report = import_rows([row("Relay")])
    assert "nothing was saved" in str(report.errors[0])
    assert "secret_index" not in "\n".join(report.lines())
    assert "secret_index" in caplog.text
