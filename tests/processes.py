"""Helpers for tests that run the real thing in another process (a worker, gunicorn)."""

import os
import signal
import socket
import subprocess
from urllib.parse import quote

from django.db import connection


def database_url() -> str:
    """DATABASE_URL of the test database, for a process started by the test."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or "5432"
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


def stop(process: subprocess.Popen) -> str:
    """Stop the process and everything it started; return what it printed (if piped)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    return process.stdout.read().decode(errors="replace") if process.stdout else ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
