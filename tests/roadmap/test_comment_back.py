"""Optional comment back on the GitHub issue an idea came from, against a local fake GitHub."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from intake import services as intake_services
from roadmap import comment_back
from roadmap.models import SourceComment
from tests.factories import IdeaFactory, SignalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_github(settings):
    received = []
    codes = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append({"path": self.path, "auth": self.headers["Authorization"], **body})
            code = codes.pop(0) if codes else 201
            payload = {"id": len(received), "body": body["body"],
                       "html_url": f"https://github.com{self.path}#c{len(received)}"}  # fmt: skip
            data = json.dumps(payload if code == 201 else {"message": "nope"}).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.GITHUB_API_URL = f"http://127.0.0.1:{server.server_port}"
    settings.GITHUB_TOKEN = "test-token"
    settings.ROADMAP_COMMENT_BACK = True
    yield received, codes
    server.shutdown()
    server.server_close()


@pytest.fixture
def idea():
    idea = IdeaFactory(public_summary="Update to 1.60 and pick a country.")
    SignalFactory(idea=idea, source="github_issue", url="https://github.com/acme/vpn/issues/7")
    SignalFactory(idea=idea, source="reddit_post", url="https://www.reddit.com/r/x/comments/1/")
    return idea


def test_shipping_an_idea_comments_on_its_github_issue(
    fake_github, idea, django_capture_on_commit_callbacks
):
    received, _ = fake_github
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.set_idea_status(idea=idea, status="shipped")
    (comment,) = received
    assert comment["path"] == "/repos/acme/vpn/issues/7/comments"
    assert comment["auth"] == "token test-token"
    assert "This has shipped" in comment["body"]
    assert "Update to 1.60 and pick a country." in comment["body"]
    assert SourceComment.objects.get().comment_url.endswith("#c1")


def test_declining_comments_the_reason(fake_github, idea, pm, django_capture_on_commit_callbacks):
    received, _ = fake_github
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.decline_idea(idea=idea, reason="The platform API covers it.", user=pm)
    assert "Why: The platform API covers it." in received[0]["body"]


def test_it_comments_once_however_often_it_runs(fake_github, idea):
    received, _ = fake_github
    intake_services.set_idea_status(idea=idea, status="shipped")
    comment_back.comment_back(idea_id=idea.pk, status="shipped")
    comment_back.comment_back(idea_id=idea.pk, status="shipped")
    assert len(received) == 1


def test_a_github_error_is_logged_and_retried_later(fake_github, idea):
    received, codes = fake_github
    codes.append(502)
    intake_services.set_idea_status(idea=idea, status="shipped")
    with pytest.raises(comment_back.GithubException):
        comment_back.comment_back(idea_id=idea.pk, status="shipped")
    record = SourceComment.objects.get()
    assert record.posted_at is None and "502" in record.error
    assert comment_back.comment_back(idea_id=idea.pk, status="shipped") == 1


def test_it_is_off_by_default(fake_github, idea, settings, django_capture_on_commit_callbacks):
    received, _ = fake_github
    settings.ROADMAP_COMMENT_BACK = False
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.set_idea_status(idea=idea, status="shipped")
    assert received == []
