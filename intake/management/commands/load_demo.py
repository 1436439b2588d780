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
            self._load_plan()
            self._load_roadmap(password)
            self._load_flags()
            return
        counts = demo.load_demo(password=password)
        self.stdout.write(
            self.style.SUCCESS(
                "Loaded {ideas} ideas, {signals} signals, {organizations} organizations.".format(
                    **counts
                )
            )
        )
        self._load_plan()
        self._load_roadmap(password)
        self._load_flags()

    def _load_flags(self) -> None:
        from rollout.demo import load_demo_flags

        counts = load_demo_flags()
        self.stdout.write(f"Demo feature flags: {counts['flags']}.")
        if counts["sdk_key"]:
            self.stdout.write(f"Demo SDK key (shown once): {counts['sdk_key']}")

    def _load_roadmap(self, password: str) -> None:
        from roadmap.demo import load_demo_roadmap

        counts = load_demo_roadmap(password=password)
        self.stdout.write(
            f"Demo roadmap: {counts['items']} items; customer login `customer` (Acme Robotics)."
        )

    def _load_plan(self) -> None:
        from planning.demo import load_demo_plan

        # Idempotent: a second run finds every row unchanged.
        self.stdout.write(f"Demo plan, Q4 FY26: {load_demo_plan().summary()}")
