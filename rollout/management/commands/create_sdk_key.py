from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from rollout import services


class Command(BaseCommand):
    help = "Create an SDK key for OFREP; the key is printed once and only its hash is kept."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Who uses it, e.g. 'web-app production'.")

    def handle(self, *args, name, **options):
        try:
            key, secret = services.create_sdk_key(name=name)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stderr.write(f"SDK key “{key.name}” created; it is shown only this once:")
        self.stdout.write(secret)
