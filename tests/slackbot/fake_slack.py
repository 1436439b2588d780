"""A local stand-in for Slack: its Web API, and requests signed exactly as Slack signs them.

The Web API side serves the methods the app calls (`auth.test`, `users.info`, `users.lookupByEmail`,
`chat.getPermalink`, `chat.postEphemeral`, `chat.postMessage`, `views.open`, `views.update`)
with Slack's JSON shapes, checks the bot token, and records every call. The real slack_sdk
client reaches it through SLACK_API_URL. `signed()` builds the headers Slack sends with a
request to the app: `X-Slack-Request-Timestamp` and `X-Slack-Signature: v0=<HMAC-SHA256 of
"v0:<timestamp>:<body>" keyed by the signing secret>`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

BOT_TOKEN = "xoxb-1111-2222-fakebottokenforidea"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM_ID = "T0IDEAS"


def signed(body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict:
    """The headers Slack sends with `body` (for Django's test client: HTTP_ keys)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    base = f"v0:{stamp}:{body}".encode()
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"HTTP_X_SLACK_REQUEST_TIMESTAMP": stamp, "HTTP_X_SLACK_SIGNATURE": signature}


def command_body(*, user_id: str, text: str, channel_id: str = "C0GENERAL") -> str:
    """A slash command as Slack posts it (form-encoded)."""
    return urlencode(
        {
            "token": "deprecated-verification-token",
            "team_id": TEAM_ID,
            "team_domain": "acme-vpn",
            "channel_id": channel_id,
            "channel_name": "general",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": "/idea",
            "text": text,
            "api_app_id": "A0IDEAINTAKE",
            "is_enterprise_install": "false",
            "response_url": "https://hooks.slack.com/commands/T0IDEAS/1/abc",
            "trigger_id": f"{time.time_ns()}.trigger",
        }
    )


def interaction_body(payload: dict) -> str:
    """An interaction (shortcut, view submission, button) as Slack posts it: `payload=<json>`."""
    return urlencode({"payload": json.dumps(payload)})


def message_shortcut(*, user_id: str, text: str, ts: str = "1732870000.000100") -> dict:
    return {
        "type": "message_action",
        "token": "deprecated-verification-token",
        "action_ts": f"{time.time():.6f}",
        "team": {"id": TEAM_ID, "domain": "acme-vpn"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM_ID},
        "channel": {"id": "C0SUPPORT", "name": "customer-support"},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": "send_to_idea_intake",
        "trigger_id": f"{time.time_ns()}.trigger",
        "response_url": "https://hooks.slack.com/app/T0IDEAS/1/def",
        "message_ts": ts,
        "message": {
            "type": "message",
            "user": "U0SPEAKER",
            "ts": ts,
            "text": text,
            "team": TEAM_ID,
            "blocks": [],
        },
    }


def view_submission(*, user_id: str, view: dict, values: dict) -> dict:
    """The modal `view` submitted with `values` ({block_id: value}) as Slack sends it."""
    state = {}
    for block_id, value in values.items():
        element = next((b["element"] for b in view["blocks"] if b.get("block_id") == block_id), {})
        if element.get("type") == "static_select":
            state[block_id] = {
                "value": {
                    "type": "static_select",
                    "selected_option": {"text": {"type": "plain_text", "text": value},
                                        "value": value} if value else None,
                }
            }  # fmt: skip
        else:
            state[block_id] = {"value": {"type": element.get("type"), "value": value or None}}
    return {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "acme-vpn"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM_ID},
        "api_app_id": "A0IDEAINTAKE",
        "token": "deprecated-verification-token",
        "trigger_id": f"{time.time_ns()}.trigger",
        "view": {
            **view,
            "id": "V0MODAL",
            "team_id": TEAM_ID,
            "hash": "1732870000.abc",
            "state": {"values": state},
        },
        "response_urls": [],
        "is_enterprise_install": False,
    }


def button_click(*, user_id: str, button: dict, view: dict | None = None) -> dict:
    """A click on `button` (a Block Kit button element), in a message or in a modal."""
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM_ID, "domain": "acme-vpn"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM_ID},
        "api_app_id": "A0IDEAINTAKE",
        "token": "deprecated-verification-token",
        "trigger_id": f"{time.time_ns()}.trigger",
        "actions": [
            {
                "type": "button",
                "action_id": button["action_id"],
                "block_id": "choices",
                "text": button["text"],
                "value": button["value"],
                "action_ts": f"{time.time():.6f}",
            }
        ],
        "is_enterprise_install": False,
    }
    if view is None:
        payload["container"] = {"type": "message", "is_ephemeral": True, "channel_id": "C0GENERAL"}
        payload["channel"] = {"id": "C0GENERAL", "name": "general"}
        payload["response_url"] = "https://hooks.slack.com/actions/T0IDEAS/1/ghi"
    else:
        payload["container"] = {"type": "view", "view_id": "V0MODAL"}
        payload["view"] = {**view, "id": "V0MODAL", "hash": "1732870001.def", "state": {}}
    return payload


def buttons(blocks: list[dict]) -> list[dict]:
    """Every button in `blocks`, in order."""
    found = []
    for block in blocks:
        if block.get("accessory", {}).get("type") == "button":
            found.append(block["accessory"])
        found += [e for e in block.get("elements", []) if e.get("type") == "button"]
    return found


class FakeSlack:
    """Slack's Web API on 127.0.0.1: users by id, and a record of every call made."""

    def __init__(self) -> None:
        self.users: dict[str, dict] = {}
        self.calls: list[tuple[str, dict]] = []
        self.fail: dict[str, str] = {}  # method -> Slack error code to answer once
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> FakeSlack:
        fake = self

        class Handler(_Handler):
            slack = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/api/"

    def add_user(self, user_id: str, email: str | None, name: str = "Someone") -> None:
        profile = {"real_name": name, "display_name": name.split()[0]}
        if email is not None:
            profile["email"] = email
        self.users[user_id] = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": name.lower().replace(" ", "."),
            "deleted": False,
            "real_name": name,
            "tz": "Europe/Berlin",
            "is_bot": False,
            "profile": profile,
        }

    def called(self, method: str) -> list[dict]:
        with self.lock:
            return [args for name, args in self.calls if name == method]

    def answer(self, method: str, args: dict) -> dict:
        if method in self.fail:
            return {"ok": False, "error": self.fail.pop(method)}
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://acme-vpn.slack.com/",
                "team": "Acme VPN",
                "user": "idea-intake",
                "team_id": TEAM_ID,
                "user_id": "U0BOT",
                "bot_id": "B0BOT",
                "is_enterprise_install": False,
            }
        if method == "users.info":
            user = self.users.get(args.get("user", ""))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "users.lookupByEmail":
            wanted = args.get("email", "").lower()
            user = next(
                (u for u in self.users.values() if u["profile"].get("email", "").lower() == wanted),
                None,
            )
            return {"ok": True, "user": user} if user else {"ok": False, "error": "users_not_found"}
        if method == "chat.getPermalink":
            ts = args["message_ts"].replace(".", "")
            return {
                "ok": True,
                "channel": args["channel"],
                "permalink": f"https://acme-vpn.slack.com/archives/{args['channel']}/p{ts}",
            }
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{time.time():.6f}"}
        if method == "chat.postMessage":
            ts = f"{time.time():.6f}"
            return {
                "ok": True,
                "channel": args["channel"],
                "ts": ts,
                "message": {"type": "message", "text": args.get("text", ""), "ts": ts},
            }
        if method in ("views.open", "views.update"):
            view = args["view"] if isinstance(args["view"], dict) else json.loads(args["view"])
            return {"ok": True, "view": {**view, "id": "V0MODAL", "hash": "1732870002.ghi"}}
        return {"ok": False, "error": "unknown_method"}


class _Handler(BaseHTTPRequestHandler):
    slack: FakeSlack
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        return

    def _reply(self, payload: dict, status: int = 200) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self, args: dict) -> None:
        method = urlsplit(self.path).path.removeprefix("/api/")
        if self.headers.get("Authorization") != f"Bearer {BOT_TOKEN}":
            self._reply({"ok": False, "error": "invalid_auth"})
            return
        with self.slack.lock:
            self.slack.calls.append((method, args))
        self._reply(self.slack.answer(method, args))

    def do_GET(self):
        self._handle({k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        if self.headers.get("Content-Type", "").startswith("application/json"):
            args = json.loads(raw or "{}")
        else:
            args = {k: v[-1] for k, v in parse_qs(raw).items()}
        self._handle(args)
