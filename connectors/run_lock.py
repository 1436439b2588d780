"""A sync run's exclusive hold on its connector, which dies with the process that holds it.

- PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) taken on a database connection
  opened for the run alone. The server drops the lock when that connection ends, and the
  operating system ends it the moment the process dies, SIGKILL included, so the next run
  takes it at once. (A machine that vanishes without closing its sockets is noticed by the
  server's TCP keepalives, `tcp_keepalives_idle`, or `client_connection_check_interval`.)
- SQLite (the embedded default, one machine): a lease on the Connector row, LEASE_SECONDS
  long, renewed every RENEW_SECONDS by a thread of the run, so a dead run's hold runs out
  within LEASE_SECONDS whatever its last page was doing.

Either way, `Hold.check()` raises HoldLost once another run could have taken over; the sync
calls it last in each page's transaction, so a run that lost its hold writes nothing more.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from datetime import timedelta

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.db.models import Q
from django.utils import timezone

from .models import Connector

logger = logging.getLogger(__name__)

# High 32 bits of the advisory lock key: "a connector's sync run" (low 32 bits: its id).
LOCK_NAMESPACE = 0x1DEA
LEASE_SECONDS = 30
RENEW_SECONDS = 5


class HoldLost(Exception):
    """This run no longer holds its connector: another run may be writing. Stop at once."""


class Hold:
    def check(self) -> None:
        """Raise HoldLost unless this run still holds its connector."""
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError


def acquire(connector_id: int) -> Hold | None:
    """Take the connector for one run, or None when another live run holds it."""
    if connection.vendor == "postgresql":
        return _AdvisoryLock.acquire(connector_id)
    return _Lease.acquire(connector_id)


class _AdvisoryLock(Hold):
    def __init__(self, connector_id: int) -> None:
        self.key = (LOCK_NAMESPACE << 32) | connector_id
        # Not the thread's connection: the lock must outlive its transactions, and nothing
        # else may close this one (CONN_MAX_AGE, a failed page) while the run goes on.
        self.connection = connections.create_connection(DEFAULT_DB_ALIAS)

    @classmethod
    def acquire(cls, connector_id: int) -> _AdvisoryLock | None:
        hold = cls(connector_id)
        try:
            with hold.connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [hold.key])
                taken = cursor.fetchone()[0]
        except BaseException:
            hold.connection.close()
            raise
        if not taken:
            hold.connection.close()
            return None
        return hold

    def check(self) -> None:
        try:
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError as error:
            # The session, and with it the lock, is gone (a restart, a terminated backend).
            raise HoldLost("this run's hold was lost with its database session") from error

    def release(self) -> None:
        try:
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [self.key])
        except DatabaseError:
            pass  # the session is gone, and its lock with it
        finally:
            self.connection.close()


class _Lease(Hold):
    def __init__(self, connector_id: int) -> None:
        self.connector_id = connector_id
        self.token = uuid.uuid4().hex
        self.lost = False
        # Until when (time.monotonic) no other run can have taken the connector.
        self.valid_until = time.monotonic() + LEASE_SECONDS
        self.stopped = threading.Event()
        self.thread = threading.Thread(
            target=self._keep_renewing, name=f"connector-{connector_id}-lease", daemon=True
        )

    @classmethod
    def acquire(cls, connector_id: int) -> _Lease | None:
        hold = cls(connector_id)
        now = timezone.now()
        free = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now)
        hold.valid_until = time.monotonic() + LEASE_SECONDS
        taken = Connector.objects.filter(free, pk=connector_id).update(
            lease_token=hold.token, lease_expires_at=now + timedelta(seconds=LEASE_SECONDS)
        )
        if not taken:
            return None
        hold.thread.start()
        return hold

    def _keep_renewing(self) -> None:
        try:
            while not self.stopped.wait(RENEW_SECONDS):
                started = time.monotonic()
                try:
                    renewed = Connector.objects.filter(
                        pk=self.connector_id, lease_token=self.token
                    ).update(lease_expires_at=timezone.now() + timedelta(seconds=LEASE_SECONDS))
                except DatabaseError as error:
                    # Busy (a page is being written): the lease has room for several misses.
                    logger.warning(
                        "Could not renew the lease of connector %s: %s", self.connector_id, error
                    )
                    continue
                if not renewed:
                    self.lost = True
                    return
                self.valid_until = started + LEASE_SECONDS
        finally:
            connections.close_all()  # this thread's own connections

    def check(self) -> None:
        if self.lost or time.monotonic() >= self.valid_until:
            raise HoldLost("another run took this connector over (this run's lease ran out)")

    def release(self) -> None:
        self.stopped.set()
        self.thread.join()
        Connector.objects.filter(pk=self.connector_id, lease_token=self.token).update(
            lease_token="", lease_expires_at=None
        )
