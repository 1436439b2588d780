import time

from django.core.management.base import BaseCommand

from scoring import selectors, services


class Command(BaseCommand):
    help = "Recompute every idea's score under the current scoring policy."

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = services.rescore_all()
        version = selectors.current_policy().version
        self.stdout.write(
            self.style.SUCCESS(
                f"Rescored {count} ideas under policy v{version} "
                f"in {time.perf_counter() - started:.2f} s."
            )
        )
