from django.core.management.base import BaseCommand, CommandError

from crm import services


class Command(BaseCommand):
    help = "Run one CRM sync now, as beat does, and print what changed."

    def handle(self, *args, **options):
        results = services.sync_all()
        if not results:
            self.stdout.write("No enabled CRM connection: add one in the admin (CRM connections).")
            return
        for result in results:
            for line in result.lines():
                self.stdout.write(line)
        failed = [r for r in results if r.error]
        if failed:
            raise CommandError("; ".join(r.summary for r in failed))
