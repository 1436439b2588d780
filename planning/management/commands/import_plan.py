from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from planning import services


class Command(BaseCommand):
    help = (
        "Import a quarterly plan CSV into roadmap items: all or nothing unless --skip-invalid; "
        "re-importing the same file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The plan as CSV (any delimiter, UTF-8 or cp1252).")
        parser.add_argument("--quarter", default="", help='For rows without one, e.g. "Q4 FY26".')
        parser.add_argument("--dry-run", action="store_true", help="Report, change nothing.")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Import the valid rows, list the rest."
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        limit = settings.PLANNING_MAX_IMPORT_BYTES
        if path.stat().st_size > limit:
            raise CommandError(f"{path} is larger than the import limit of {limit} bytes.")
        report = services.import_plan(
            data=path.read_bytes(),
            filename=path.name,
            quarter=options["quarter"],
            dry_run=options["dry_run"],
            skip_invalid=options["skip_invalid"],
        )
        lines = report.lines()
        if not report.ok or (report.errors and not report.applied and not report.dry_run):
            self.stderr.write("\n".join(lines))
            raise CommandError(report.summary())
        self.stdout.write("\n".join(lines[1:]))
        style = self.style.WARNING if report.errors else self.style.SUCCESS
        if report.dry_run:
            self.stdout.write(style(report.summary() + " (dry run: nothing saved)"))
        else:
            self.stdout.write(style(report.summary()))
