from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import services


class Command(BaseCommand):
    help = "Make an API token for USER and print it once (only its hash is kept)."

    def add_arguments(self, parser):
        parser.add_argument("user", help="username")
        parser.add_argument("--name", default="API token", help="what will use the token")
        parser.add_argument(
            "--expires-days", type=int, default=None, help="days until it expires (default: 90)"
        )

    def handle(self, *args, user, name, expires_days, **options):
        owner = get_user_model().objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"No user is named {user!r}.")
        try:
            token, key = services.create_api_token(user=owner, name=name, expires_days=expires_days)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stderr.write(
            f"Token “{token.name}” for {owner.username}, valid until "
            f"{token.expiry:%Y-%m-%d %H:%M} UTC. It is shown only now:"
        )
        self.stdout.write(key)
