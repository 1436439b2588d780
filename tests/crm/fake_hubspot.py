"""A local stand-in for HubSpot's CRM v3 companies and owners APIs, with their JSON shapes
(`results`, `paging.next.after`) and bearer-token auth, for the real `hubspot-api-client`."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TOKEN = "pat-na1-fake-hubspot-token-0123456789"
STAMP = "2025-11-01T10:00:00.000Z"


class FakeHubSpot:
    def __init__(self) -> None:
        self.companies: dict[str, dict] = {}
        self.owners: dict[str, dict] = {}
        # (path fragment, status, how many times): the next matching requests fail.
        self.faults: list[list] = []
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> FakeHubSpot:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                fake._answer(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # Upstream data

    def add_owner(self, owner_id: str, *, email: str, first: str, last: str) -> None:
        self.owners[owner_id] = {
            "id": owner_id, "email": email, "firstName": first, "lastName": last,
            "userId": int(owner_id) * 10, "createdAt": STAMP, "updatedAt": STAMP,
            "archived": False, "type": "PERSON", "teams": [],
        }  # fmt: skip

    def add_company(self, company_id: str, **properties) -> None:
        props = {
            "createdate": STAMP, "hs_lastmodifieddate": STAMP, "hs_object_id": company_id,
            **{k: (None if v is None else str(v)) for k, v in properties.items()},
        }  # fmt: skip
        self.companies[company_id] = {
            "id": company_id, "properties": props, "createdAt": STAMP, "updatedAt": STAMP,
            "archived": False,
        }  # fmt: skip

    def fail(self, path_contains: str, status: int, *, times: int = 1, after: str = "") -> None:
        """The next `times` requests to a path (and `after` cursor, if given) answer `status`."""
        with self.lock:
            self.faults.append([path_contains, after, status, times])

    # HTTP

    def _page(self, rows: list[dict], query: dict, base: str) -> dict:
        limit = min(int(query.get("limit", ["10"])[0]), 100)
        start = int(query.get("after", ["0"])[0])
        body: dict = {"results": rows[start : start + limit]}
        if start + limit < len(rows):
            after = str(start + limit)
            body["paging"] = {"next": {"after": after, "link": f"{self.url}{base}?after={after}"}}
        return body

    def _answer(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        query = parse_qs(parts.query)
        with self.lock:
            self.requests.append(request.path)
            for fault in self.faults:
                path, after, status, times = fault
                if path in parts.path and (not after or query.get("after", [""])[0] == after):
                    if times > 0:
                        fault[3] -= 1
                        return self._send(request, status, {"status": "error", "message": "x"})
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            body = {
                "status": "error",
                "message": "Authentication credentials not found.",
                "category": "INVALID_AUTHENTICATION",
            }
            return self._send(request, 401, body)
        if parts.path.rstrip("/") == "/crm/v3/owners":
            owners = [self.owners[k] for k in sorted(self.owners, key=int)]
            return self._send(request, 200, self._page(owners, query, "/crm/v3/owners/"))
        if parts.path.rstrip("/") == "/crm/v3/objects/companies":
            wanted = {p for value in query.get("properties", []) for p in value.split(",")}
            rows = []
            for key in sorted(self.companies, key=int):
                company = self.companies[key]
                props = {k: v for k, v in company["properties"].items() if k in wanted}
                props.update({k: company["properties"][k] for k in ("createdate", "hs_object_id")})
                rows.append({**company, "properties": props})
            return self._send(request, 200, self._page(rows, query, "/crm/v3/objects/companies"))
        return self._send(request, 404, {"status": "error", "message": "not found"})

    @staticmethod
    def _send(request: BaseHTTPRequestHandler, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json;charset=utf-8")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)
