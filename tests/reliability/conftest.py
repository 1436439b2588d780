"""Real services a reliability test starts, breaks and restarts itself.

`own_redis`: a `redis-server` of the test's own on a free port (no persistence, so a restart
comes back empty, like the common default), stopped and started at will. `cache_on_own_redis`
points the project's cache at it. `gunicorn`: starts the project under gunicorn on a free port.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import _missing_service
from tests.reliability.redis_server import RedisServer, free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_outage_on_record():
    """Each test starts with no outage on record: a later test's Redis may get the same port."""
    from config import outages

    outages._outages.clear()


@pytest.fixture
def own_redis(tmp_path):
    if shutil.which("redis-server") is None:
        _missing_service("redis-server is not installed (Debian: apt-get install redis-server)")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def cache_on_own_redis(own_redis, settings):
    """The project's cache, as configured in production, on the test's own Redis.

    Redis is retried 0.2 s after a failure (5 s in production) so a test need not wait.
    """
    settings.CACHES = {
        "default": {
            "BACKEND": "config.fail_safe_cache.FailSafeRedisCache",
            "LOCATION": own_redis.url,
            "KEY_PREFIX": "test",
            "RETRY_SECONDS": 0.2,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    from roadmap import services

    services._local_pages.clear()
    yield own_redis
    services._local_pages.clear()


class Gunicorn:
    def __init__(self, env: dict, workers: int = 2) -> None:
        self.log = tempfile.TemporaryFile()  # a file, not a pipe: a full pipe would block it
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(workers), "--timeout", "30", "--log-level", "warning"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )  # fmt: skip

    def wait_until_serving(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.stop()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start listening")

    def stop(self) -> str:
        """Stop it (if still running); returns what it logged."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")


def post_form(http: requests.Session, url: str, data: dict) -> requests.Response:
    """POST a form as a browser would after loading a page (CSRF cookie and header)."""
    return http.post(
        url,
        data,
        headers={"X-CSRFToken": http.cookies.get("csrftoken", ""), "Referer": url},
        allow_redirects=False,
        timeout=30,
    )


def log_in(http: requests.Session, base: str, username: str) -> None:
    http.get(f"{base}/accounts/login/", timeout=30)
    response = post_form(
        http, f"{base}/accounts/login/", {"username": username, "password": "pw-for-tests"}
    )
    assert response.status_code == 302


@pytest.fixture
def start_gunicorn():
    """Start the project under gunicorn with extra environment; stopped after the test."""
    started = []

    def start(**environment: str) -> Gunicorn:
        env = {
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
            "DJANGO_ENV": "development",
            "DEBUG": "0",
            "PYTHONUNBUFFERED": "1",
            # These tests send bursts from one user and address; rate limits are tested apart.
            "RATE_LIMIT_SUBMISSIONS": "",
            "RATE_LIMIT_API": "",
            "RATE_LIMIT_API_SIGNAL_POST": "",
            "RATE_LIMIT_WRITES": "",
            "RATE_LIMIT_WRITES_PER_ADDRESS": "",
            **environment,
        }
        server = Gunicorn(env)
        started.append(server)
        server.wait_until_serving()
        return server

    yield start
    for server in started:
        server.stop()


class SilentServer:
    """Accepts TCP connections and never answers: a Redis hung or cut off by a firewall."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _accept(self) -> None:
        while True:
            try:
                self.accepted.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        self.sock.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def silent_redis():
    server = SilentServer()
    yield server
    server.close()


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed by the other side


class TcpProxy:
    """A TCP relay to a real server: `cut()` drops every connection and refuses new ones (the
    server stopped, as far as clients can tell), `restore()` accepts again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self) -> None:
        # shutdown() first: close() alone leaves a blocked accept() accepting on Linux.
        for sock in (self.listener, *(s for pair in self.pairs for s in pair)):
            _shut(sock)
            sock.close()
        self.pairs.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.pairs.append((client, server))
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            _shut(source)
            _shut(sink)

    def close(self) -> None:
        self.cut()
