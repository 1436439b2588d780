"""The OpenAPI schema tells the truth: schemathesis, every phase, over every operation a reader
sees, against a live server, anonymously, with a PM's token and with a customer's token."""

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from intake.models import Idea, Signal
from tests.factories import IdeaFactory, OrganizationFactory, SignalFactory, UserFactory, api_token
from tests.roadmap.factories import (
    CustomerAccountFactory,
    CustomerItemFactory,
    PublicItemFactory,
    RoadmapItemFactory,
)

# Per operation and phase; enough to find a lying field, small enough for a few minutes on CI.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "15"))
CHECKS = "not_a_server_error,response_schema_conformance"
PHASES = "examples,coverage,fuzzing,stateful"


@pytest.fixture
def api_data(transactional_db, pm):
    """Rows with every shape the API returns: empty and null optional fields, and full ones."""
    organization = OrganizationFactory(name="Acme Robotics")
    bare = IdeaFactory(title="Bare idea")  # no team, PM or surface
    full = IdeaFactory(title="Full idea", surface=Idea.Surface.CLIENT, pm=pm)
    SignalFactory(idea=bare, source=Signal.Source.EMPLOYEE)  # no URL, e-mail or organization
    SignalFactory(
        idea=full, source=Signal.Source.SALES, organization=organization,
        url="https://crm.example.com/1", author_email="ann@acme.example",
    )  # fmt: skip
    RoadmapItemFactory(ideas=[bare])
    CustomerItemFactory(ideas=[full], pm=pm, surface=Idea.Surface.BOTH)
    PublicItemFactory(ideas=[full], min_client_version="1.2")
    customer = UserFactory(username="carla")
    CustomerAccountFactory(user=customer, organization=organization)
    return {"pm": pm, "customer": customer}


def _whole_schema(base_url: str, tmp_path: Path, pm_token: str) -> Path:
    """The schema as a PM reads it (every operation), so that every reader is tried on all."""
    request = urllib.request.Request(
        f"{base_url}/api/schema/?format=json", headers={"Authorization": f"Token {pm_token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (live server)
        path = tmp_path / "schema.json"
        path.write_bytes(response.read())
    return path


def _schemathesis(base_url: str, schema: Path, headers: dict[str, str]) -> dict:
    report = schema.with_name(f"report-{len(list(schema.parent.iterdir()))}.json")
    command = [
        str(Path(sys.executable).with_name("st")), "run", str(schema), "--url", base_url,
        "--checks", CHECKS, "--phases", PHASES, "--max-examples", str(MAX_EXAMPLES),
        "--seed", "11", "--workers", "1", "--generation-database", "none", "--no-color",
        "--report", "json", "--report-json-path", str(report),
        "--suppress-health-check", "all", "--request-timeout", "30",
    ]  # fmt: skip
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    # In the test's own directory: schemathesis leaves a cache directory where it runs.
    finished = subprocess.run(
        command, cwd=schema.parent, capture_output=True, text=True, timeout=900, check=False
    )
    assert finished.returncode == 0, finished.stdout[-6000:] + finished.stderr[-3000:]
    return json.loads(report.read_text())


@pytest.mark.parametrize("reader", ["anonymous", "pm", "customer"])
def test_every_response_matches_the_schema(live_server, api_data, tmp_path, reader, settings):
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS)  # thousands of requests a minute
    pm_token = api_token(api_data["pm"])
    schema = _whole_schema(live_server.url, tmp_path, pm_token)
    headers = {}
    if reader != "anonymous":
        token = pm_token if reader == "pm" else api_token(api_data[reader])
        headers["Authorization"] = f"Token {token}"
    report = _schemathesis(live_server.url, schema, headers)
    cases = report["test_cases"]
    assert cases["with_failures"] == 0 and cases["errored"] == 0 and not report["failures"]
    operations = report["operations"]
    assert (
        operations["tested"]
        == operations["total"]
        == len(json.loads(schema.read_text())["paths"]) + 1
    )
    print(f"schemathesis as {reader}: {json.dumps(operations)}; {json.dumps(cases)}")
    assert cases["generated"] > MAX_EXAMPLES  # every operation was exercised, not skipped
