from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from intake import demo


class Command(BaseCommand):
    help = "Load the demo company (ideas, signals, organizations, users) once. Not in production."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("load_demo refuses to run under DJANGO_ENV=production.")
        password = settings.DEMO_PASSWORD
        self.stdout.write(
            f"Demo users: employee, sales, pm, admin — password: {password} "
            "(set DEMO_PASSWORD to change it)"
        )
        if demo.demo_loaded():
            self.stdout.write("Demo data already loaded.")
            return
        counts = demo.load_demo(password=password)
        self.stdout.write(
            self.style.SUCCESS(
                "Loaded {ideas} ideas, {signals} signals, {organizations} organizations.".format(
                    **counts
                )
            )
        )
