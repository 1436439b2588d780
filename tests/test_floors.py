"""Apps stand on floors (../shared/STYLE.md): each imports only from floors below it, so no two
apps import each other and work flows upward through domain events, never by a call up."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# A new app takes its floor here; one missing fails the test below.
FLOORS = {
    "intake": 0,
    "scoring": 1,
    "connectors": 1,
    "accounts": 1,
    "roadmap": 2,
    "planning": 3,
    "rollout": 3,
    "slackbot": 3,
    # crm: organizations (intake) follow the CRM; a shipped roadmap item tells account owners.
    "crm": 3,
    "delivery": 3,
    "demo": 4,
}


def _apps() -> list[str]:
    return sorted(p.parent.name for p in ROOT.glob("*/apps.py"))


def _imports(app: str) -> set[tuple[str, str]]:
    """(file, imported app) for every import of another project app, at any depth."""
    found = set()
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in FLOORS and top != app:
                    found.add((str(path.relative_to(ROOT)), top))
    return found


def test_every_app_has_a_floor():
    assert set(_apps()) <= set(FLOORS), set(_apps()) - set(FLOORS)


@pytest.mark.parametrize("app", sorted(FLOORS))
def test_an_app_imports_only_from_floors_below(app):
    upward = sorted((path, other) for path, other in _imports(app) if FLOORS[other] >= FLOORS[app])
    assert upward == [], f"{app} (floor {FLOORS[app]}) imports {upward}"
