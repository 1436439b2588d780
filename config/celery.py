import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("idea_intake")
app.config_from_object("django.conf:settings", namespace="CELERY")

# Tasks survive a dead worker (issue 10). A task is acknowledged only once it has finished, and
# a task whose worker process was killed (SIGKILL, out of memory) goes back on the queue at
# once, so every task must be safe to repeat. A message taken by a worker that vanished as a
# whole comes back after the visibility timeout; it must outlast the longest countdown/ETA we
# set (a GitHub rate-limit reset, up to an hour), or Redis would hand that task out twice.
app.conf.task_acks_late = True
app.conf.task_reject_on_worker_lost = True
app.conf.worker_prefetch_multiplier = 1
app.conf.broker_transport_options = {
    **(app.conf.broker_transport_options or {}),
    "visibility_timeout": 2 * 60 * 60,
}

app.autodiscover_tasks()
