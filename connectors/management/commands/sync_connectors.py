"""`python manage.py sync_connectors [--name NAME]`: sync now, in the foreground."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from connectors import selectors, services
from connectors.models import SyncRun


class Command(BaseCommand):
    help = "Sync the enabled connectors (or the one named) now, in the foreground."

    def add_arguments(self, parser):
        parser.add_argument("--name", help="Sync only the connector with this name.")

    def handle(self, *args, name=None, **options):
        connectors = list(selectors.connectors_to_sync(name=name))
        if name is not None and not connectors:
            raise CommandError(f"No connector named “{name}”.")
        if not connectors:
            self.stdout.write("No enabled connectors. Add one in the admin under Connectors.")
            return
        failed = False
        for connector in connectors:
            started = time.monotonic()
            result = services.sync_connector(
                connector_id=connector.pk, progress=self._progress(connector.name)
            )
            if self._on_terminal():
                self.stdout.write("\r\033[K", ending="")
            if result is None:
                continue  # deleted meanwhile
            if result.outcome == SyncRun.Outcome.SKIPPED:
                self.stdout.write(f"{connector.name}: {result.summary}")
                continue
            seconds = time.monotonic() - started
            line = (
                f"{connector.name}: {result.get_outcome_display().lower()} — fetched "
                f"{result.fetched}, created {result.created}, updated {result.updated}, "
                f"{result.requests} API requests, {seconds:.1f}s"
            )
            if result.item_errors:
                line += f", {len(result.item_errors)} item errors"
            if result.outcome in (SyncRun.Outcome.SUCCESS, SyncRun.Outcome.RATE_LIMITED):
                self.stdout.write(self.style.SUCCESS(line))
            else:
                failed = failed or result.outcome == SyncRun.Outcome.FAILED
                self.stdout.write(self.style.WARNING(line))
                for problem in result.error.splitlines():
                    self.stdout.write(f"  {problem}")
        if failed:
            raise CommandError("At least one connector failed; see the runs in the admin.")

    def _on_terminal(self) -> bool:
        return getattr(self.stdout, "isatty", lambda: False)() and sys.stdout.isatty()

    def _progress(self, name: str):
        """A live one-line counter on a terminal; nothing when piped (logs stay clean)."""
        if not self._on_terminal():
            return None
        width = 20

        def show(run: SyncRun, target: str, position: int, total: int, pages=None) -> None:
            # Fill by pages when the API says how many (GitHub's Link "last"), else by target.
            if pages:
                done = width * pages[0] // max(pages[1], 1)
                where = f"page {pages[0]}/{pages[1]}"
            else:
                done = width * (position - 1) // max(total, 1)
                where = f"target {position}/{total}"
            bar = "#" * done + "-" * (width - done)
            self.stdout.write(
                f"\r\033[K{name} [{bar}] {target}, {where}: fetched {run.fetched}",
                ending="",
            )
            self.stdout.flush()

        return show
