import json
from dataclasses import asdict

from django.core.management.base import BaseCommand

from rollout import selectors


class Command(BaseCommand):
    help = "Flags to remove from code: fully on 90+ days, killed 30+ days, or item shipped 90+."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="One JSON list on stdout.")

    def handle(self, *args, **options):
        stale = selectors.stale_flags()
        if options["json"]:
            self.stdout.write(json.dumps([asdict(s) for s in stale], indent=2))
            return
        if not stale:
            self.stdout.write("No stale flags.")
            return
        for s in stale:
            item = f" ({s.item})" if s.item else ""
            self.stdout.write(f"{s.key}{item} · {s.owner} · {s.state} for {s.days} days: {s.why}")
