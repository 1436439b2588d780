"""A local stand-in for the GitHub, Reddit and Zendesk APIs, for tests and the benchmark.

One HTTP server on 127.0.0.1 serves all three, with the JSON shapes and the pagination the real
APIs use: GitHub REST issues with `Link` headers, GitHub GraphQL discussions with `pageInfo`,
Reddit's OAuth token endpoint (app-only, password and refresh-token grants), listings paged with
`after` and `POST /api/comment` (replies kept in `replies`; locked, archived or deleted posts
refused in `json.errors`, as Reddit does), Zendesk's cursor-based
incremental ticket export with sideloaded users and organizations. Tests change the upstream
data through methods (`add_issue`, `edit_issue`, `add_ticket`, ...) and inject faults
(`fail_next`), then point the real PyGithub, praw and zenpy at `url` via GITHUB_API_URL,
REDDIT_URL, REDDIT_OAUTH_URL and ZENDESK_URL.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

GITHUB_TOKEN = "ghp_fake_token_for_tests_0123456789abcdef"
REDDIT_CLIENT_ID = "fake-reddit-client-id"
REDDIT_CLIENT_SECRET = "fake-reddit-client-secret-9876543210"
REDDIT_ACCESS_TOKEN = "fake-reddit-access-token-abcdef"
# The user account that replies in threads: a script app's password grant or a refresh token.
REDDIT_USERNAME = "acme-vpn-team"
REDDIT_PASSWORD = "fake-reddit-password-hunter2-24680"
REDDIT_REFRESH_TOKEN = "fake-reddit-refresh-token-13579"
REDDIT_USER_ACCESS_TOKEN = "fake-reddit-user-access-token-fedcba"
ZENDESK_EMAIL = "agent@acme-vpn.example"
ZENDESK_API_TOKEN = "fake-zendesk-api-token-0123456789"
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Fault:
    path_contains: str
    status: int
    body: bytes
    headers: dict[str, str]
    times: int


@dataclass
class FakeRepo:
    full_name: str
    repo_id: int
    issues: dict[int, dict] = field(default_factory=dict)
    discussions: dict[int, dict] = field(default_factory=dict)


class FakeUpstream:
    """The upstream data and the HTTP server that serves it."""

    def __init__(self) -> None:
        self.repos: dict[str, FakeRepo] = {}
        self.subreddits: dict[str, dict[str, dict]] = {}
        self.tickets: dict[int, dict] = {}
        self.zendesk_users: dict[int, dict] = {}
        self.zendesk_organizations: dict[int, dict] = {}
        self.requests: list[tuple[str, str]] = []
        self.replies: list[dict] = []
        # Errors Reddit answers the next comments with: ["RATELIMIT", "...", "ratelimit"].
        self.reddit_errors: list[list] = []
        # GitHub's rate limit: every answered request costs a point, except a 304 to a
        # conditional request (If-None-Match), as on github.com.
        self.github_points = 0
        self.faults: list[Fault] = []
        # Seconds every request takes, so that a test can stop a long sync half-way.
        self.delay = 0.0
        self.lock = threading.RLock()
        self._clock = EPOCH
        self._next_id = 1000
        self._pages: dict[tuple, list[bytes]] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Lifecycle

    def start(self) -> FakeUpstream:
        upstream = self

        class Handler(_Handler):
            fake = upstream

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # Time and faults

    def tick(self, seconds: int = 1) -> datetime:
        """Upstream time moves only when the data changes, so tests never sleep."""
        with self.lock:
            self._clock += timedelta(seconds=seconds)
            return self._clock

    def fail_next(
        self,
        path_contains: str,
        status: int,
        *,
        body: bytes | str | dict = b"",
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` requests whose path contains `path_contains` with this."""
        if isinstance(body, dict):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        with self.lock:
            self.faults.append(Fault(path_contains, status, body, headers or {}, times))

    def count(self, path_contains: str = "") -> int:
        with self.lock:
            return sum(1 for _, path in self.requests if path_contains in path)

    def reset_counts(self) -> None:
        with self.lock:
            self.requests.clear()

    # GitHub data

    def repo(self, full_name: str) -> FakeRepo:
        with self.lock:
            if full_name not in self.repos:
                self._next_id += 1
                self.repos[full_name] = FakeRepo(full_name, self._next_id)
            return self.repos[full_name]

    def add_issue(
        self,
        full_name: str,
        number: int,
        title: str,
        *,
        body: str = "",
        labels: tuple[str, ...] = (),
        state: str = "open",
        thumbs_up: int = 0,
        reactions: int | None = None,
        comments: int = 0,
        author: str = "octocat",
        pull_request: bool = False,
        raw_overrides: dict | None = None,
    ) -> dict:
        repo = self.repo(full_name)
        with self.lock:
            moment = self.tick()
            self._next_id += 1
            base = f"{self.url}/repos/{full_name}/issues/{number}"
            html = f"https://github.com/{full_name}/issues/{number}"
            issue = {
                "url": base,
                "repository_url": f"{self.url}/repos/{full_name}",
                "labels_url": f"{base}/labels{{/name}}",
                "comments_url": f"{base}/comments",
                "events_url": f"{base}/events",
                "html_url": html,
                "id": self._next_id,
                "node_id": f"I_kwDO{self._next_id:08d}",
                "number": number,
                "title": title,
                "user": _github_user(author),
                "labels": [],
                "state": state,
                "state_reason": "completed" if state == "closed" else None,
                "locked": False,
                "assignee": None,
                "assignees": [],
                "milestone": None,
                "comments": comments,
                "created_at": _iso(moment),
                "updated_at": _iso(moment),
                "closed_at": _iso(moment) if state == "closed" else None,
                "author_association": "NONE",
                "active_lock_reason": None,
                "body": body,
                "reactions": {},
                "timeline_url": f"{base}/timeline",
                "performed_via_github_app": None,
            }
            self._set_labels(issue, labels)
            self._set_reactions(issue, thumbs_up, reactions)
            if pull_request:
                pr = f"{self.url}/repos/{full_name}/pulls/{number}"
                issue["pull_request"] = {
                    "url": pr,
                    "html_url": f"https://github.com/{full_name}/pull/{number}",
                    "diff_url": f"https://github.com/{full_name}/pull/{number}.diff",
                    "patch_url": f"https://github.com/{full_name}/pull/{number}.patch",
                    "merged_at": None,
                }
            _override(issue, raw_overrides)
            repo.issues[number] = issue
            self._pages.clear()
            return issue

    def edit_issue(
        self,
        full_name: str,
        number: int,
        *,
        labels: tuple[str, ...] | None = None,
        thumbs_up: int | None = None,
        **changes,
    ) -> dict:
        """Change an issue upstream; like GitHub, any change bumps `updated_at`."""
        with self.lock:
            issue = self.repos[full_name].issues[number]
            moment = self.tick()
            issue.update(changes)
            if changes.get("state") == "closed":
                issue["closed_at"] = _iso(moment)
                issue["state_reason"] = "completed"
            if labels is not None:
                self._set_labels(issue, labels)
            if thumbs_up is not None:
                self._set_reactions(issue, thumbs_up, None)
            issue["updated_at"] = _iso(moment)
            self._pages.clear()
            return issue

    def _set_labels(self, issue: dict, labels: tuple[str, ...]) -> None:
        issue["labels"] = [
            {
                "id": abs(hash(name)) % 10**9,
                "node_id": f"LA_{name}",
                "url": f"{issue['repository_url']}/labels/{name}",
                "name": name,
                "color": "a2eeef",
                "default": False,
                "description": "",
            }
            for name in labels
        ]

    def _set_reactions(self, issue: dict, thumbs_up: int, total: int | None) -> None:
        others = max(0, (total if total is not None else thumbs_up) - thumbs_up)
        issue["reactions"] = {
            "url": f"{issue['url']}/reactions",
            "total_count": thumbs_up + others,
            "+1": thumbs_up,
            "-1": 0,
            "laugh": 0,
            "hooray": others,
            "confused": 0,
            "heart": 0,
            "rocket": 0,
            "eyes": 0,
        }

    def add_discussion(
        self,
        full_name: str,
        number: int,
        title: str,
        *,
        category: str = "Ideas",
        upvotes: int = 0,
        comments: int = 0,
        body: str = "",
        closed: bool = False,
        author: str = "octocat",
    ) -> dict:
        repo = self.repo(full_name)
        with self.lock:
            moment = self.tick()
            self._next_id += 1
            node = {
                "id": f"D_kwDO{self._next_id:08d}",
                "number": number,
                "title": title,
                "body": body,
                "url": f"https://github.com/{full_name}/discussions/{number}",
                "createdAt": _iso(moment),
                "updatedAt": _iso(moment),
                "closed": closed,
                "upvoteCount": upvotes,
                "author": {"login": author},
                "category": {"name": category},
                "comments": {"totalCount": comments},
                "reactions": {"totalCount": upvotes},
            }
            repo.discussions[number] = node
            return node

    def edit_discussion(self, full_name: str, number: int, **changes) -> dict:
        with self.lock:
            node = self.repos[full_name].discussions[number]
            node.update(changes)
            node["updatedAt"] = _iso(self.tick())
            return node

    # Reddit data

    def add_post(
        self,
        subreddit: str,
        post_id: str,
        title: str,
        *,
        created_utc: float | None = None,
        score: int = 1,
        comments: int = 0,
        flair: str | None = None,
        selftext: str = "",
        author: str = "redditor",
        link: str | None = None,
        raw_overrides: dict | None = None,
    ) -> dict:
        with self.lock:
            posts = self.subreddits.setdefault(subreddit, {})
            created = created_utc if created_utc is not None else time.time() - len(posts)
            slug = "_".join(title.lower().split())[:40]
            permalink = f"/r/{subreddit}/comments/{post_id}/{slug}/"
            post = {
                "subreddit": subreddit,
                "selftext": selftext,
                "author_fullname": f"t2_{author}",
                "title": title,
                "subreddit_name_prefixed": f"r/{subreddit}",
                "name": f"t3_{post_id}",
                "upvote_ratio": 0.97,
                "ups": score,
                "score": score,
                "link_flair_text": flair,
                "is_self": link is None,
                "created": created,
                "created_utc": created,
                "edited": False,
                "locked": False,
                "archived": False,
                "over_18": False,
                "stickied": False,
                "id": post_id,
                "author": author,
                "num_comments": comments,
                "permalink": permalink,
                "url": link or f"https://www.reddit.com{permalink}",
                "subreddit_id": "t5_2qh1i",
                "domain": f"self.{subreddit}" if link is None else urlsplit(link).hostname,
            }
            _override(post, raw_overrides)
            posts[post_id] = post
            return post

    def edit_post(self, subreddit: str, post_id: str, **changes) -> dict:
        with self.lock:
            post = self.subreddits[subreddit][post_id]
            post.update(changes)
            if "score" in changes:
                post["ups"] = changes["score"]
            return post

    def reddit_comment(self, thing_id: str, text: str) -> dict:
        """What `POST /api/comment` answers for a reply to a post, and the reply kept."""
        with self.lock:
            if self.reddit_errors:
                return {"json": {"errors": [self.reddit_errors.pop(0)]}}
            post_id = thing_id.removeprefix("t3_")
            post = next((p[post_id] for p in self.subreddits.values() if post_id in p), None)
            if post is None or post.get("removed_by_category"):
                error = [
                    "DELETED_LINK",
                    "the link you are commenting on has been deleted",
                    "parent",
                ]
            elif post["locked"]:
                error = ["THREAD_LOCKED", "Comments are locked.", "parent"]
            elif post["archived"]:
                history = "that's a piece of history now; it's too late to reply to it"
                error = ["TOO_OLD", history, "parent"]
            else:
                error = None
            if error:
                return {"json": {"errors": [error]}}
            self._next_id += 1
            comment_id = f"k{self._next_id:x}"
            created = time.time()
            comment = {
                "subreddit_id": post["subreddit_id"],
                "link_title": post["title"],
                "subreddit": post["subreddit"],
                "link_author": post["author"],
                "replies": "",
                "id": comment_id,
                "author": REDDIT_USERNAME,
                "parent_id": thing_id,
                "score": 1,
                "author_fullname": f"t2_{REDDIT_USERNAME}",
                "body": text,
                "body_html": f'<div class="md"><p>{text}</p></div>',
                "edited": False,
                "link_id": thing_id,
                "name": f"t1_{comment_id}",
                "permalink": f"{post['permalink']}{comment_id}/",
                "created": created,
                "created_utc": created,
                "ups": 1,
                "downs": 0,
                "locked": False,
                "stickied": False,
                "is_submitter": False,
                "distinguished": None,
                "link_permalink": f"https://www.reddit.com{post['permalink']}",
                "link_url": post["url"],
                "subreddit_name_prefixed": post["subreddit_name_prefixed"],
                "subreddit_type": "public",
            }
            self.replies.append({"thing_id": thing_id, "text": text, "comment": comment})
            post["num_comments"] += 1
            return {"json": {"errors": [], "data": {"things": [{"kind": "t1", "data": comment}]}}}

    # Zendesk data

    def add_zendesk_organization(self, name: str, *, domains: tuple[str, ...] = ()) -> dict:
        with self.lock:
            self._next_id += 1
            moment = _iso(self.tick())
            organization = {
                "url": f"{self.url}/api/v2/organizations/{self._next_id}.json",
                "id": self._next_id,
                "name": name,
                "shared_tickets": False,
                "shared_comments": False,
                "external_id": None,
                "created_at": moment,
                "updated_at": moment,
                "domain_names": list(domains),
                "details": "",
                "notes": "",
                "group_id": None,
                "tags": [],
                "organization_fields": {},
            }
            self.zendesk_organizations[organization["id"]] = organization
            return organization

    def add_zendesk_user(self, name: str, email: str, *, organization: dict | None = None) -> dict:
        with self.lock:
            self._next_id += 1
            moment = _iso(self.tick())
            user = {
                "id": self._next_id,
                "url": f"{self.url}/api/v2/users/{self._next_id}.json",
                "name": name,
                "email": email,
                "created_at": moment,
                "updated_at": moment,
                "time_zone": "Europe/Berlin",
                "iana_time_zone": "Europe/Berlin",
                "phone": None,
                "locale": "en-US",
                "locale_id": 1,
                "organization_id": organization["id"] if organization else None,
                "role": "end-user",
                "verified": True,
                "active": True,
                "suspended": False,
                "tags": [],
                "user_fields": {},
            }
            self.zendesk_users[user["id"]] = user
            return user

    def add_ticket(
        self,
        subject: str,
        *,
        description: str = "",
        tags: tuple[str, ...] = ("feature-request",),
        requester: dict | None = None,
        organization: dict | None = None,
        status: str = "open",
        raw_overrides: dict | None = None,
    ) -> dict:
        with self.lock:
            self._next_id += 1
            moment = self.tick()
            ticket_id = self._next_id
            requester_id = requester["id"] if requester else None
            ticket = {
                "url": f"{self.url}/api/v2/tickets/{ticket_id}.json",
                "id": ticket_id,
                "external_id": None,
                "via": {"channel": "email", "source": {"from": {}, "to": {}, "rel": None}},
                "created_at": _iso(moment),
                "updated_at": _iso(moment),
                "generated_timestamp": int(moment.timestamp()),
                "type": "question",
                "subject": subject,
                "raw_subject": subject,
                "description": description,
                "priority": "normal",
                "status": status,
                "recipient": "support@acme-vpn.example",
                "requester_id": requester_id,
                "submitter_id": requester_id,
                "assignee_id": None,
                "organization_id": organization["id"] if organization else None,
                "group_id": None,
                "collaborator_ids": [],
                "follower_ids": [],
                "email_cc_ids": [],
                "forum_topic_id": None,
                "problem_id": None,
                "has_incidents": False,
                "is_public": True,
                "due_at": None,
                "tags": list(tags),
                "custom_fields": [],
                "satisfaction_rating": None,
                "sharing_agreement_ids": [],
                "custom_status_id": 1,
                "fields": [],
                "followup_ids": [],
                "ticket_form_id": 1,
                "brand_id": 1,
                "allow_channelback": False,
                "allow_attachments": True,
                "from_messaging_channel": False,
            }
            _override(ticket, raw_overrides)
            self.tickets[ticket_id] = ticket
            return ticket

    def edit_ticket(self, ticket_id: int, **changes) -> dict:
        """Change a ticket upstream; like Zendesk, it moves to the end of the export."""
        with self.lock:
            ticket = self.tickets[ticket_id]
            moment = self.tick()
            ticket.update(changes)
            ticket["updated_at"] = _iso(moment)
            ticket["generated_timestamp"] = int(moment.timestamp())
            return ticket

    def zendesk_export_page(self, query: dict[str, str]) -> dict:
        """One page of /api/v2/incremental/tickets/cursor.json, as Zendesk answers it."""
        per_page = min(1000, int(query.get("per_page", "1000")))
        with self.lock:
            ordered = sorted(
                self.tickets.values(),
                key=lambda t: (t.get("generated_timestamp") or 0, t.get("id") or 0),
            )
            if query.get("cursor"):
                stamp, _, last_id = base64.b64decode(query["cursor"]).decode().partition("|")
                after = (int(stamp), int(last_id))
            else:
                after = (int(query.get("start_time", "0")) - 1, 1 << 62)
            rest = [t for t in ordered if (t["generated_timestamp"], t["id"]) > after]
            chunk = rest[:per_page]
            position = (chunk[-1]["generated_timestamp"], chunk[-1]["id"]) if chunk else after
            cursor = base64.b64encode(f"{position[0]}|{position[1]}".encode()).decode()
            users = {t.get("requester_id") for t in chunk if isinstance(t, dict)}
            organizations = {t.get("organization_id") for t in chunk if isinstance(t, dict)}
            base = f"{self.url}/api/v2/incremental/tickets/cursor.json"
            return {
                "tickets": chunk,
                "users": [u for i, u in self.zendesk_users.items() if i in users],
                "organizations": [
                    o for i, o in self.zendesk_organizations.items() if i in organizations
                ],
                "after_url": f"{base}?{urlencode({'cursor': cursor})}",
                "after_cursor": cursor,
                "before_url": None,
                "before_cursor": None,
                "end_of_stream": len(rest) <= per_page,
            }

    # Serving

    def github_issues_page(self, full_name: str, query: dict[str, str]) -> tuple[bytes, str]:
        repo = self.repos.get(full_name)
        if repo is None:
            return b"", ""
        per_page = min(100, int(query.get("per_page", "30")))
        page = int(query.get("page", "1"))
        key = (
            full_name,
            query.get("state", "open"),
            query.get("labels", ""),
            query.get("since", ""),
            query.get("sort", "created"),
            query.get("direction", "desc"),
            per_page,
        )
        with self.lock:
            pages = self._pages.get(key)
            if pages is None:
                pages = self._paginate(repo, key, per_page)
                self._pages[key] = pages
        body = pages[page - 1] if 0 < page <= len(pages) else b"[]"
        links = []
        path = f"{self.url}/repos/{full_name}/issues"
        base = {k: v for k, v in query.items() if k != "page"}
        if page < len(pages):
            links.append(f'<{path}?{urlencode({**base, "page": page + 1})}>; rel="next"')
            links.append(f'<{path}?{urlencode({**base, "page": len(pages)})}>; rel="last"')
        if page > 1:
            links.append(f'<{path}?{urlencode({**base, "page": 1})}>; rel="first"')
            links.append(f'<{path}?{urlencode({**base, "page": page - 1})}>; rel="prev"')
        return body, ", ".join(links)

    def _paginate(self, repo: FakeRepo, key: tuple, per_page: int) -> list[bytes]:
        _, state, labels, since, sort, direction, _ = key
        wanted = {name for name in labels.split(",") if name}
        chosen = []
        for issue in repo.issues.values():
            if state != "all" and issue["state"] != state:
                continue
            names = {label["name"] for label in issue["labels"]}
            if wanted and not wanted <= names:
                continue
            if since and issue["updated_at"] < since:
                continue
            chosen.append(issue)
        field_name = "updated_at" if sort == "updated" else "created_at"
        chosen.sort(key=lambda i: (i[field_name], i["number"]), reverse=direction == "desc")
        encoded = [json.dumps(issue) for issue in chosen]
        return [
            ("[" + ",".join(encoded[i : i + per_page]) + "]").encode()
            for i in range(0, len(encoded), per_page)
        ] or [b"[]"]

    def github_graphql(self, payload: dict) -> dict:
        variables = payload.get("variables") or {}
        if "discussions" not in payload.get("query", ""):
            return {"errors": [{"message": "Only discussions are faked here"}]}
        repo = self.repos.get(f"{variables.get('owner')}/{variables.get('name')}")
        if repo is None:
            return {
                "data": {"repository": None},
                "errors": [{"type": "NOT_FOUND", "message": "Could not resolve to a Repository"}],
            }
        with self.lock:
            nodes = sorted(
                repo.discussions.values(), key=lambda d: (d["updatedAt"], d["number"]), reverse=True
            )
        first = int(variables.get("first") or 10)
        start = 0
        if variables.get("after"):
            start = int(base64.b64decode(variables["after"]).decode().split(":")[1])
        chunk = nodes[start : start + first]
        end = start + len(chunk)
        cursor = base64.b64encode(f"cursor:{end}".encode()).decode()
        return {
            "data": {
                "repository": {
                    "discussions": {
                        "pageInfo": {"hasNextPage": end < len(nodes), "endCursor": cursor},
                        "nodes": chunk,
                    }
                }
            }
        }

    def reddit_listing(self, subreddit: str, query: dict[str, str], *, search: bool) -> dict:
        with self.lock:
            posts = sorted(
                self.subreddits.get(subreddit, {}).values(),
                key=lambda p: p["created_utc"],
                reverse=True,
            )[:1000]
        if search:
            words = query.get("q", "").lower().split()
            posts = [
                p
                for p in posts
                if all(w in (p["title"] + " " + p["selftext"]).lower() for w in words)
            ]
        limit = min(100, int(query.get("limit", "25")))
        start = 0
        if query.get("after"):
            names = [p["name"] for p in posts]
            start = names.index(query["after"]) + 1 if query["after"] in names else len(posts)
        chunk = posts[start : start + limit]
        more = start + limit < len(posts)
        return {
            "kind": "Listing",
            "data": {
                "after": chunk[-1]["name"] if chunk and more else None,
                "dist": len(chunk),
                "modhash": None,
                "geo_filter": "",
                "children": [{"kind": "t3", "data": p} for p in chunk],
                "before": None,
            },
        }


_DELETE = object()
DELETE = _DELETE  # pass as a raw_overrides value to drop a field from the upstream payload


def _override(payload: dict, overrides: dict | None) -> None:
    """Set (or, for DELETE, drop) fields of an upstream payload, to make it malformed."""
    for key, value in (overrides or {}).items():
        if value is _DELETE:
            payload.pop(key, None)
        else:
            payload[key] = value


def _github_user(login: str) -> dict:
    return {
        "login": login,
        "id": abs(hash(login)) % 10**8,
        "node_id": f"U_{login}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{login}?v=4",
        "gravatar_id": "",
        "url": f"https://api.github.com/users/{login}",
        "html_url": f"https://github.com/{login}",
        "type": "User",
        "site_admin": False,
    }


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A client killed mid-request (a test's SIGKILL) is expected; anything else is not.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeUpstream
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # keep test output clean
        return

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        headers = headers or {}
        headers.setdefault("Content-Type", "application/json; charset=utf-8")
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload).encode(), headers)

    def _fault(self, path: str) -> bool:
        with self.fake.lock:
            for fault in self.fake.faults:
                if fault.path_contains in path and fault.times > 0:
                    fault.times -= 1
                    if fault.times == 0:
                        self.fake.faults.remove(fault)
                    self._send(fault.status, fault.body, dict(fault.headers))
                    return True
        return False

    def _authorized_github(self) -> bool:
        header = self.headers.get("Authorization", "")
        if header in (f"token {GITHUB_TOKEN}", f"Bearer {GITHUB_TOKEN}"):
            return True
        self._json(401, {"message": "Bad credentials", "status": "401"})
        return False

    def _github_rate_headers(self) -> dict[str, str]:
        used = self.fake.github_points
        return {
            "X-RateLimit-Limit": "5000",
            "X-RateLimit-Used": str(used),
            "X-RateLimit-Remaining": str(5000 - used),
        }

    def _authorized_reddit(self) -> bool:
        if self.headers.get("Authorization", "") == f"bearer {REDDIT_ACCESS_TOKEN}":
            return True
        self._send(401, b'{"message": "Unauthorized", "error": 401}', {"www-authenticate": "x"})
        return False

    def _reddit_token(self, form: dict[str, str]) -> None:
        """Reddit's answers: 200 with `error` for a wrong password, 400 for a bad refresh token."""
        grant = form.get("grant_type")
        token = {"token_type": "bearer", "expires_in": 86400}
        if grant == "password":
            if (form.get("username"), form.get("password")) != (REDDIT_USERNAME, REDDIT_PASSWORD):
                self._json(200, {"error": "invalid_grant"})
                return
            self._json(200, {**token, "access_token": REDDIT_USER_ACCESS_TOKEN, "scope": "*"})
        elif grant == "refresh_token":
            if form.get("refresh_token") != REDDIT_REFRESH_TOKEN:
                self._json(400, {"error": "invalid_grant"})
                return
            self._json(
                200,
                {
                    **token,
                    "access_token": REDDIT_USER_ACCESS_TOKEN,
                    "refresh_token": REDDIT_REFRESH_TOKEN,
                    "scope": "identity read submit",
                },
            )
        else:
            self._json(200, {**token, "access_token": REDDIT_ACCESS_TOKEN, "scope": "*"})

    def _authorized_zendesk(self) -> bool:
        expected = base64.b64encode(f"{ZENDESK_EMAIL}/token:{ZENDESK_API_TOKEN}".encode()).decode()
        if self.headers.get("Authorization") == f"Basic {expected}":
            return True
        self._json(401, {"error": "Couldn't authenticate you"})
        return False

    def _zendesk(self, path: str, query: dict[str, str]) -> None:
        if not self._authorized_zendesk():
            return
        if path == "/api/v2/incremental/tickets/cursor.json":
            if not query.get("cursor") and "start_time" not in query:
                self._json(400, {"error": "InvalidValue", "description": "start_time required"})
                return
            self._json(200, self.fake.zendesk_export_page(query))
            return
        for kind, table in (
            ("users", self.fake.zendesk_users),
            ("organizations", self.fake.zendesk_organizations),
        ):
            prefix = f"/api/v2/{kind}/"
            if path.startswith(prefix) and path.endswith(".json"):
                found = table.get(int(path[len(prefix) : -5] or 0))
                if found is None:
                    self._json(
                        404,
                        {"error": "RecordNotFound", "description": "Not found"},
                    )
                else:
                    self._json(200, {kind[:-1]: found})
                return
        self._json(404, {"error": "InvalidEndpoint", "description": "Not found"})

    def do_GET(self):
        time.sleep(self.fake.delay)
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        with self.fake.lock:
            self.fake.requests.append(("GET", self.path))
        if self._fault(self.path):
            return
        if parts.path.startswith("/api/v2/"):
            self._zendesk(parts.path, query)
            return
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) == 4 and segments[0] == "repos" and segments[3] == "issues":
            if not self._authorized_github():
                return
            full_name = f"{segments[1]}/{segments[2]}"
            if full_name not in self.fake.repos:
                self._json(404, {"message": "Not Found", "status": "404"})
                return
            body, link = self.fake.github_issues_page(full_name, query)
            # Like GitHub: a weak ETag of the representation (body and links).
            etag = 'W/"' + hashlib.sha256(body + link.encode()).hexdigest() + '"'
            headers = {"ETag": etag, "Cache-Control": "private, max-age=60, s-maxage=60"}
            if link:
                headers["Link"] = link
            wanted = {t.strip() for t in self.headers.get("If-None-Match", "").split(",")}
            if etag in wanted:
                self._send(304, b"", {**headers, **self._github_rate_headers()})
                return
            with self.fake.lock:
                self.fake.github_points += 1
            self._send(200, body, {**headers, **self._github_rate_headers()})
            return
        if len(segments) == 3 and segments[0] == "r" and segments[2] in ("new", "search"):
            if not self._authorized_reddit():
                return
            listing = self.fake.reddit_listing(segments[1], query, search=segments[2] == "search")
            self._json(200, listing)
            return
        self._json(404, {"message": "Not Found"})

    def do_POST(self):
        time.sleep(self.fake.delay)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        with self.fake.lock:
            self.fake.requests.append(("POST", self.path))
        if self._fault(self.path):
            return
        path = urlsplit(self.path).path
        if path == "/graphql":
            if not self._authorized_github():
                return
            with self.fake.lock:
                self.fake.github_points += 1
            self._json(200, self.fake.github_graphql(json.loads(raw or b"{}")))
            return
        if path == "/api/v1/access_token":
            expected = base64.b64encode(
                f"{REDDIT_CLIENT_ID}:{REDDIT_CLIENT_SECRET}".encode()
            ).decode()
            if self.headers.get("Authorization") != f"Basic {expected}":
                self._json(401, {"message": "Unauthorized", "error": 401})
                return
            self._reddit_token({k: v[-1] for k, v in parse_qs(raw.decode()).items()})
            return
        if path.rstrip("/") == "/api/comment":
            if self.headers.get("Authorization", "") != f"bearer {REDDIT_USER_ACCESS_TOKEN}":
                # An app-only token reads; writing needs a user.
                error = ["USER_REQUIRED", "Please log in to do that.", None]
                self._json(200, {"json": {"errors": [error]}})
                return
            form = {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
            self._json(
                200, self.fake.reddit_comment(form.get("thing_id", ""), form.get("text", ""))
            )
            return
        self._json(404, {"message": "Not Found"})
