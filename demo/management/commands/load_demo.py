from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.loader import load_everything


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
        for line in load_everything(password=password):
            self.stdout.write(line)
