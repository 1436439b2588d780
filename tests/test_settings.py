"""The environment decides the stack; production refuses to start half-configured."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k" + secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "ideas.example.com",
    "DATABASE_URL": "postgres://ideas@db.example.com:5432/ideas",
    "REDIS_URL": "redis://cache.example.com:6379/0",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ["PATH"], **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _setting(name: str, env: dict[str, str]) -> str:
    result = _manage(
        "shell", "-c", f"from django.conf import settings; print(settings.{name})", env=env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"])
def test_production_refuses_to_start_naming_the_missing_variable(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _manage("check", env=env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert missing in lines[0]


def test_production_passes_the_deploy_check_when_configured():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert _setting("DEBUG", PRODUCTION_ENV) == "False"


def test_no_environment_means_sqlite_eager_tasks_and_console_mail():
    assert _setting("DATABASES['default']['ENGINE']", {}) == "django.db.backends.sqlite3"
    assert _setting("CELERY_TASK_ALWAYS_EAGER", {}) == "True"
    assert _setting("EMAIL_BACKEND", {}).endswith("console.EmailBackend")
    assert _setting("DEBUG", {}) == "True"


def test_database_and_redis_urls_switch_to_postgresql_and_redis():
    env = {"DATABASE_URL": PRODUCTION_ENV["DATABASE_URL"], "REDIS_URL": PRODUCTION_ENV["REDIS_URL"]}
    assert _setting("DATABASES['default']['ENGINE']", env) == "django.db.backends.postgresql"
    assert _setting("CELERY_BROKER_URL", env) == PRODUCTION_ENV["REDIS_URL"]
    assert _setting("CELERY_TASK_ALWAYS_EAGER", env) == "False"
    assert _setting("CACHES['default']['BACKEND']", env).endswith("RedisCache")


def test_load_demo_refuses_under_production():
    result = _manage("load_demo", env=PRODUCTION_ENV)
    assert result.returncode != 0
    assert "refuses to run under DJANGO_ENV=production" in result.stderr
