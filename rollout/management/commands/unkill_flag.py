from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from rollout import services
from rollout.models import Flag


class Command(BaseCommand):
    help = "Undo a kill: the flag answers from its rollout state again (recorded in history)."

    def add_arguments(self, parser):
        parser.add_argument("key")
        parser.add_argument("--reason", default="")

    def handle(self, *args, key, reason, **options):
        flag = Flag.objects.filter(key=key).first()
        if flag is None:
            raise CommandError(f"No flag {key}.")
        try:
            services.unkill_flag(flag=flag, reason=reason)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Kill undone on {key}."))
