"""Local stand-ins for the GitHub and Jira APIs that delivery reads, with their real JSON shapes.

GitHub: single issues, pull requests and milestones (with ETags and 304s), a repository's
issue listing (`since`, labels, `Link` pagination; pull requests appear there as issues with a
`pull_request` key), releases and the compare API over one linear history of commits. Jira:
single issues and the enhanced JQL search (`/rest/api/{2,3}/search/jql`, `nextPageToken`),
with basic auth. Tests change upstream data through methods and inject faults (`fail_next`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

GITHUB_TOKEN = "ghp_fake_delivery_token_0123456789abcdef"
JIRA_EMAIL = "pm@meshvpn.example"
JIRA_API_TOKEN = "fake-jira-api-token-0123456789"
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _jira_now() -> str:
    # Jira's relative JQL ("-15m") counts from the real clock, so Jira times are real times.
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _jira_time(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.000%z")


@dataclass
class Fault:
    path_contains: str
    status: int
    times: int


class FakeTrackers:
    def __init__(self) -> None:
        self.issues: dict[tuple[str, int], dict] = {}
        self.pulls: dict[tuple[str, int], dict] = {}
        self.milestones: dict[tuple[str, int], dict] = {}
        self.releases: dict[str, list[dict]] = {}
        self.history: dict[str, list[str]] = {}  # repo -> commit shas, oldest first
        self.tags: dict[tuple[str, str], str] = {}  # (repo, tag) -> sha
        self.jira_issues: dict[str, dict] = {}
        self.jira_deployment = "Cloud"  # or "Server" (Data Center)
        self.requests: list[str] = []
        self.not_modified = 0  # 304s answered, which cost no rate limit on GitHub
        self.faults: list[Fault] = []
        self.lock = threading.RLock()
        self.clock = EPOCH
        self._next_id = 5000
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> FakeTrackers:
        fake = self

        class Handler(_Handler):
            pass

        Handler.fake = fake
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def fail_next(self, path_contains: str, *, status: int = 503, times: int = 1) -> None:
        with self.lock:
            self.faults.append(Fault(path_contains, status, times))

    def count(self, contains: str = "") -> int:
        return sum(1 for path in self.requests if contains in path)

    def tick(self) -> datetime:
        self.clock += timedelta(minutes=1)
        return self.clock

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id

    # GitHub data

    def add_issue(
        self, repo: str, number: int, *, labels: tuple[str, ...] = (), pull: bool = False
    ) -> dict:
        now = _iso(self.tick())
        issue = {
            "id": self._id(),
            "number": number,
            "title": f"Internal engineering title {number}",
            "html_url": f"https://github.com/{repo}/{'pull' if pull else 'issues'}/{number}",
            "state": "open",
            "state_reason": None,
            "labels": [{"id": self._id(), "name": name, "color": "ededed"} for name in labels],
            "created_at": now,
            "updated_at": now,
            "closed_at": None,
        }
        if pull:
            issue["pull_request"] = {
                "url": f"{self.url}/repos/{repo}/pulls/{number}",
                "html_url": issue["html_url"],
                "merged_at": None,
            }
            self.pulls[(repo, number)] = {
                "id": self._id(),
                "number": number,
                "title": issue["title"],
                "html_url": issue["html_url"],
                "state": "open",
                "merged": False,
                "merged_at": None,
                "merge_commit_sha": None,
                "created_at": now,
                "updated_at": now,
            }
        self.issues[(repo, number)] = issue
        return issue

    def close_issue(self, repo: str, number: int, *, reason: str = "completed") -> None:
        now = _iso(self.tick())
        self.issues[(repo, number)].update(
            state="closed", state_reason=reason, closed_at=now, updated_at=now
        )

    def merge_pull(self, repo: str, number: int) -> str:
        """Merge the pull request: a new commit on the repository's linear history."""
        now = _iso(self.tick())
        sha = hashlib.sha256(f"{repo}#{number}@{now}".encode()).hexdigest()[:40]
        self.history.setdefault(repo, []).append(sha)
        self.pulls[(repo, number)].update(
            state="closed", merged=True, merged_at=now, merge_commit_sha=sha, updated_at=now
        )
        self.issues[(repo, number)].update(state="closed", closed_at=now, updated_at=now)
        self.issues[(repo, number)]["pull_request"]["merged_at"] = now
        return sha

    def release(self, repo: str, tag: str, *, prerelease: bool = False) -> dict:
        """Tag the current head of the history and publish a release of it."""
        now = _iso(self.tick())
        history = self.history.setdefault(repo, [])
        if not history:
            history.append(hashlib.sha256(f"{repo} root".encode()).hexdigest()[:40])
        self.tags[(repo, tag)] = history[-1]
        release = {
            "id": self._id(),
            "tag_name": tag,
            "name": tag,
            "html_url": f"https://github.com/{repo}/releases/tag/{tag}",
            "draft": False,
            "prerelease": prerelease,
            "created_at": now,
            "published_at": now,
        }
        self.releases.setdefault(repo, []).append(release)
        return release

    def add_milestone(self, repo: str, number: int, *, open_issues: int, closed_issues: int):
        self.milestones[(repo, number)] = {
            "id": self._id(),
            "number": number,
            "title": f"Milestone {number}",
            "html_url": f"https://github.com/{repo}/milestone/{number}",
            "state": "open",
            "open_issues": open_issues,
            "closed_issues": closed_issues,
        }

    def compare(self, repo: str, base: str, head: str) -> dict | None:
        history = self.history.get(repo, [])
        base_sha = self.tags.get((repo, base), base)
        if base_sha not in history or head not in history:
            return None
        b, h = history.index(base_sha), history.index(head)
        status = "identical" if b == h else ("behind" if h < b else "ahead")
        return {
            "status": status,
            "ahead_by": max(0, h - b),
            "behind_by": max(0, b - h),
            "total_commits": max(0, h - b),
            "commits": [],
            "files": [],
        }

    # Jira data

    def add_jira_issue(self, key: str, *, labels: tuple[str, ...] = (), epic: bool = False) -> dict:
        issue = {
            "id": str(self._id()),
            "key": key,
            "self": f"{self.url}/rest/api/2/issue/{key}",
            "fields": {
                "summary": f"Internal Jira summary {key}",
                "labels": list(labels),
                "issuetype": {"name": "Epic" if epic else "Story", "subtask": False},
                "status": {
                    "name": "To Do",
                    "statusCategory": {"key": "new", "name": "To Do"},
                },
                "updated": _jira_now(),
            },
        }
        self.jira_issues[key] = issue
        return issue

    def finish_jira_issue(self, key: str, *, status: str = "Done") -> None:
        fields = self.jira_issues[key]["fields"]
        fields["status"] = {"name": status, "statusCategory": {"key": "done", "name": "Done"}}
        fields["updated"] = _jira_now()


class _Handler(BaseHTTPRequestHandler):
    fake: FakeTrackers
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        return

    def _send(self, status: int, payload, headers: dict | None = None) -> None:
        body = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _with_etag(self, payload, headers: dict | None = None) -> None:
        body = json.dumps(payload).encode()
        etag = 'W/"' + hashlib.sha256(body).hexdigest() + '"'
        headers = {"ETag": etag, **(headers or {})}
        if etag in self.headers.get("If-None-Match", ""):
            with self.fake.lock:
                self.fake.not_modified += 1
            self._send(304, None, headers)
        else:
            self._send(200, payload, headers)

    def do_GET(self):
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        with self.fake.lock:
            self.fake.requests.append(self.path)
            for fault in list(self.fake.faults):
                if fault.path_contains in self.path:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.fake.faults.remove(fault)
                    self._send(fault.status, {"message": "Service unavailable"})
                    return
        if parts.path.startswith("/rest/api/"):
            self._jira(parts.path, query)
        else:
            self._github(parts.path, query)

    # GitHub

    def _github(self, path: str, query: dict) -> None:
        if self.headers.get("Authorization") not in (
            f"token {GITHUB_TOKEN}",
            f"Bearer {GITHUB_TOKEN}",
        ):
            self._send(401, {"message": "Bad credentials", "status": "401"})
            return
        fake = self.fake
        segments = [s for s in path.split("/") if s]
        if len(segments) < 4 or segments[0] != "repos":
            self._send(404, {"message": "Not Found", "status": "404"})
            return
        repo, what, rest = f"{segments[1]}/{segments[2]}", segments[3], segments[4:]
        with fake.lock:
            if what == "issues" and not rest:
                self._issue_listing(repo, query)
                return
            found = None
            if what == "issues" and len(rest) == 1 and rest[0].isdigit():
                found = fake.issues.get((repo, int(rest[0])))
            elif what == "pulls" and len(rest) == 1 and rest[0].isdigit():
                found = fake.pulls.get((repo, int(rest[0])))
            elif what == "milestones" and len(rest) == 1 and rest[0].isdigit():
                found = fake.milestones.get((repo, int(rest[0])))
            elif what == "releases" and not rest:
                # Newest first, like GitHub.
                listing = sorted(
                    fake.releases.get(repo, []), key=lambda r: r["created_at"], reverse=True
                )
                self._send(200, listing)
                return
            elif what == "compare" and len(rest) == 1 and "..." in rest[0]:
                base, head = rest[0].split("...", 1)
                found = fake.compare(repo, base, head)
            if found is None:
                self._send(404, {"message": "Not Found", "status": "404"})
            else:
                self._with_etag(found)

    def _issue_listing(self, repo: str, query: dict) -> None:
        since = query.get("since", "")
        issues = sorted(
            (i for (r, _), i in self.fake.issues.items() if r == repo and i["updated_at"] >= since),
            key=lambda i: i["updated_at"],
            reverse=True,
        )
        per_page = int(query.get("per_page", 30))
        page = int(query.get("page", 1))
        chunk = issues[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(issues):
            params = {**query, "page": str(page + 1)}
            link = f"{self.fake.url}/repos/{repo}/issues?" + "&".join(
                f"{k}={v}" for k, v in params.items()
            )
            headers["Link"] = f'<{link}>; rel="next"'
        self._with_etag(chunk, headers)

    # Jira

    def _jira(self, path: str, query: dict) -> None:
        expected = base64.b64encode(f"{JIRA_EMAIL}:{JIRA_API_TOKEN}".encode()).decode()
        if self.headers.get("Authorization") != f"Basic {expected}":
            self._send(401, {"errorMessages": ["You are not authenticated."], "errors": {}})
            return
        with self.fake.lock:
            match = re.fullmatch(r"/rest/api/[23]/issue/([A-Z0-9_]+-\d+)", path)
            if match:
                issue = self.fake.jira_issues.get(match[1])
                if issue is None:
                    self._send(
                        404,
                        {
                            "errorMessages": [
                                "Issue does not exist or you do not have permission to see it."
                            ],
                            "errors": {},
                        },
                    )
                else:
                    self._send(200, issue)
                return
            cloud = self.fake.jira_deployment == "Cloud"
            if re.fullmatch(r"/rest/api/[23]/search/jql", path) and cloud:
                self._send(200, self._search(query))
                return
            if re.fullmatch(r"/rest/api/2/search", path):
                self._send(200, self._search(query, by_offset=True))
                return
            if path == "/rest/api/2/serverInfo":
                self._send(
                    200,
                    {
                        "baseUrl": self.fake.url,
                        "version": "1001.0.0-SNAPSHOT" if cloud else "9.12.2",
                        "versionNumbers": [1001, 0, 0] if cloud else [9, 12, 2],
                        "deploymentType": self.fake.jira_deployment,
                        "buildNumber": 100272,
                        "serverTitle": "Jira",
                    },
                )
                return
            if re.fullmatch(r"/rest/api/[23]/field", path):
                self._send(200, [])
                return
        self._send(404, {"errorMessages": ["Not found"], "errors": {}})

    def _search(self, query: dict, *, by_offset: bool = False) -> dict:
        jql = query.get("jql", "")
        projects = re.search(r"project in \(([^)]*)\)", jql)
        keys = {p.strip() for p in projects[1].split(",")} if projects else set()
        since = re.search(r'updated >= "-(\d+)m"', jql)
        cutoff = datetime.now(UTC) - timedelta(minutes=int(since[1])) if since else None
        issues = [
            i
            for key, i in sorted(self.fake.jira_issues.items())
            if key.split("-")[0] in keys
            and i["fields"]["labels"]
            and (cutoff is None or _jira_time(i["fields"]["updated"]) >= cutoff)
        ]
        per_page = int(query.get("maxResults", 50))
        if by_offset:
            start = int(query.get("startAt") or 0)
            return {
                "expand": "schema,names",
                "startAt": start,
                "maxResults": per_page,
                "total": len(issues),
                "issues": issues[start : start + per_page],
            }
        start = int(query.get("nextPageToken") or 0)
        chunk = issues[start : start + per_page]
        page = {"issues": chunk, "isLast": start + per_page >= len(issues)}
        if not page["isLast"]:
            page["nextPageToken"] = str(start + per_page)
        return page
