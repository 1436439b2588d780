from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from planning import selectors, services


class Command(BaseCommand):
    help = "Export roadmap items as a plan CSV with the import's columns."

    def add_arguments(self, parser):
        parser.add_argument("--quarter", default="", help="One quarter; default: every quarter.")
        parser.add_argument(
            "-o", "--output", default="", help="A file to write (UTF-8 with BOM for Excel)."
        )

    def handle(self, *args, **options):
        quarter = options["quarter"]
        if quarter and not services.export_queryset(quarter=quarter).exists():
            known = ", ".join(selectors.quarters()) or "none"
            raise CommandError(f'No roadmap items in "{quarter}". Quarters: {known}.')
        items = services.export_queryset(quarter=quarter)
        if options["output"]:
            path = Path(options["output"])
            with path.open("w", encoding="utf-8-sig", newline="") as stream:
                count = services.export_plan(stream, items=items)
            self.stderr.write(f"Wrote {count} item(s) to {path}.")
        else:
            count = services.export_plan(self.stdout, items=items)
            self.stderr.write(f"Exported {count} item(s).")
