"""Comment back on the GitHub issue an idea came from when it ships or is declined.

Off by default (`ROADMAP_COMMENT_BACK`), and only with `GITHUB_TOKEN` set; the API is
`GITHUB_API_URL` (GitHub Enterprise works). One comment per issue and status, however often the
task runs: a (signal, status) row is claimed before posting. Public words only: the public
summary, or the decline reason (which PMs write knowing the people who asked will read it).
Reddit threads are not answered: that needs a Reddit user account, not the app credentials
the connectors use.
"""

import re

from django.conf import settings
from django.utils import timezone
from github import Auth, Github, GithubException

from intake.models import Idea, Signal

from .models import SourceComment

ISSUE_URL = re.compile(r"^https://[^/]+/([\w.-]+)/([\w.-]+)/issues/(\d+)/?$")
COMMENT_STATUSES = (Idea.Status.SHIPPED, Idea.Status.DECLINED)


def enabled() -> bool:
    return bool(settings.ROADMAP_COMMENT_BACK and settings.GITHUB_TOKEN)


def compose(idea: Idea, status: str) -> str:
    roadmap = f"{settings.SITE_URL}/roadmap/"
    if status == Idea.Status.SHIPPED:
        lines = ["This has shipped. Thank you for asking for it here."]
        if idea.public_summary:
            lines += ["", idea.public_summary]
        lines += ["", f"What comes next is on our public roadmap: {roadmap}"]
    else:
        lines = [
            "We have decided not to build this, and want you to hear it where you asked.",
            "",
            f"Why: {idea.decline_reason}",
            "",
            f"Our public roadmap shows what we are building instead: {roadmap}",
        ]
    return "\n".join(lines)


def _client() -> Github:
    return Github(
        auth=Auth.Token(settings.GITHUB_TOKEN),
        base_url=settings.GITHUB_API_URL.rstrip("/"),
        timeout=10,
        retry=0,
        lazy=True,
    )


def comment_back(*, idea_id: int, status: str) -> int:
    """Comment on each GitHub issue of the idea once; returns how many comments were posted.

    Raises after trying every issue if any failed, so that the task retries those.
    """
    if not enabled() or status not in COMMENT_STATUSES:
        return 0
    idea = Idea.objects.filter(pk=idea_id).first()
    if idea is None or idea.status != status:
        return 0
    body = compose(idea, status)
    issues = {}
    for signal in Signal.objects.filter(idea=idea, source=Signal.Source.GITHUB_ISSUE).order_by(
        "pk"
    ):
        match = ISSUE_URL.match(signal.url or "")
        if match and match.groups() not in issues:
            issues[match.groups()] = signal
    client, posted, failures = _client(), 0, []
    for (owner, repo, number), signal in issues.items():
        record, _ = SourceComment.objects.get_or_create(
            signal=signal, status=status, defaults={"body": body}
        )
        claimed = SourceComment.objects.filter(pk=record.pk, posted_at__isnull=True).update(
            posted_at=timezone.now(), error=""
        )
        if not claimed:
            continue
        try:
            comment = (
                client.get_repo(f"{owner}/{repo}")
                .get_issue(int(number))
                .create_comment(record.body)
            )
        except GithubException as exc:
            SourceComment.objects.filter(pk=record.pk).update(
                posted_at=None, error=f"GitHub answered {exc.status}"[:500]
            )
            failures.append(exc)
            continue
        SourceComment.objects.filter(pk=record.pk).update(comment_url=comment.html_url or "")
        posted += 1
    if failures:
        raise failures[0]
    return posted
