from django.core.management.base import BaseCommand

from delivery import services


class Command(BaseCommand):
    help = "Run one delivery sync (GitHub, Jira) at once, as beat does, and print what changed."

    def handle(self, *args, **options):
        report = services.sync_delivery()
        for line in report.changes:
            self.stdout.write(line)
        for line in report.failures:
            self.stderr.write(self.style.WARNING(line))
        if not report.changes and not report.failures:
            self.stdout.write("Nothing changed.")
