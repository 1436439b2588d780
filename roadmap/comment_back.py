"""Comment back where an idea came from, once, when its status changes.

GitHub: off by default (`ROADMAP_COMMENT_BACK`), and only with `GITHUB_TOKEN` set; the API is
`GITHUB_API_URL` (GitHub Enterprise works); a comment on each issue when the idea ships or is
declined. Reddit (`reddit_reply`): a reply in each thread when it is planned or shipped, per
connector that opted in. Both go through `post_once`: a (signal, status) row is claimed before
posting, so a task run twice, or twice at once, never comments twice. Public words only: the
public summary, or the decline reason (which PMs write knowing the people who asked will read it).
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

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
    elif status == Idea.Status.PLANNED:
        lines = ["This is planned: we are going to build it. Thank you for asking for it here."]
        if idea.public_summary:
            lines += ["", idea.public_summary]
        lines += ["", f"Follow it on our public roadmap: {roadmap}"]
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


@dataclass(frozen=True)
class Failure:
    """Why a comment did not go out; a permanent one (the thread refuses comments) is never
    tried again, any other is tried again by the next run."""

    error: str
    permanent: bool = False


def post_once(
    *,
    signals: Iterable[Signal],
    status: str,
    body: str,
    post: Callable[[Signal, str], str],
    classify: Callable[[Exception], Failure],
) -> int:
    """Post `body` where each signal came from, at most once per (signal, status); returns how
    many were posted. `post` returns the comment's URL.

    A row is claimed (posted_at set) before posting and released on a failure that may pass,
    which then raises after every signal was tried, so that the outbox retries those.
    """
    posted, failures = 0, []
    for signal in signals:
        record, _ = SourceComment.objects.get_or_create(
            signal=signal, status=status, defaults={"body": body}
        )
        rows = SourceComment.objects.filter(pk=record.pk)
        claimed = rows.filter(posted_at__isnull=True, refused_at__isnull=True).update(
            posted_at=timezone.now(), error=""
        )
        if not claimed:
            continue
        try:
            url = post(signal, record.body)
        except Exception as exc:  # noqa: BLE001 - recorded on the row; raised below unless final
            failure = classify(exc)
            refused_at = timezone.now() if failure.permanent else None
            rows.update(posted_at=None, refused_at=refused_at, error=failure.error[:500])
            if not failure.permanent:
                failures.append(exc)
            continue
        rows.update(comment_url=url)
        posted += 1
    if failures:
        raise failures[0]
    return posted


def _github_failure(exc: Exception) -> Failure:
    if isinstance(exc, GithubException):
        return Failure(f"GitHub answered {exc.status}")
    return Failure(f"GitHub unreachable ({type(exc).__name__})")


def comment_back(*, idea_id: int, status: str) -> int:
    """Comment on each GitHub issue of the idea once; returns how many comments were posted.

    Raises after trying every issue if any failed, so that the task retries those.
    """
    if not enabled() or status not in COMMENT_STATUSES:
        return 0
    idea = Idea.objects.filter(pk=idea_id).first()
    if idea is None or idea.status != status:
        return 0
    issues = {}
    for signal in Signal.objects.filter(idea=idea, source=Signal.Source.GITHUB_ISSUE).order_by(
        "pk"
    ):
        match = ISSUE_URL.match(signal.url or "")
        if match and match.groups() not in issues:
            issues[match.groups()] = signal
    numbers = {signal.pk: key for key, signal in issues.items()}
    client = _client()

    def post(signal: Signal, body: str) -> str:
        owner, repo, number = numbers[signal.pk]
        issue = client.get_repo(f"{owner}/{repo}").get_issue(int(number))
        return issue.create_comment(body).html_url or ""

    return post_once(
        signals=issues.values(),
        status=status,
        body=compose(idea, status),
        post=post,
        classify=_github_failure,
    )
