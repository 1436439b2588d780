import pytest

from tests.factories import TeamFactory, UserFactory


@pytest.fixture
def plan_people(db):
    """Teams and PMs the test plans name."""
    teams = {name: TeamFactory(name=name) for name in ("Networking", "Client", "Platform")}
    pms = {
        "priya": UserFactory(username="priya", first_name="Priya", last_name="Nair", groups=["PM"]),
        "marco": UserFactory(
            username="marco", first_name="Marco", last_name="Rossi", groups=["PM"]
        ),
    }
    return {"teams": teams, "pms": pms}
