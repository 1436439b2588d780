from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from rollout import services
from rollout.models import Flag


class Command(BaseCommand):
    help = "Kill a feature flag: off for everyone within a second; owners told, webhooks sent."

    def add_arguments(self, parser):
        parser.add_argument("key")
        parser.add_argument("--reason", required=True, help="Why (required, kept in history).")

    def handle(self, *args, key, reason, **options):
        flag = Flag.objects.filter(key=key).first()
        if flag is None:
            raise CommandError(f"No flag {key}.")
        if flag.killed:
            self.stdout.write(f"{key} was already killed at {flag.killed_at:%Y-%m-%d %H:%M} UTC.")
            return
        try:
            flag = services.kill_flag(flag=flag, reason=reason)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Killed {key}: off for everyone."))
