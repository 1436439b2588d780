"""An e-mail backend for tests: refuses mail to addresses starting with "fails", keeps the rest
in Django's test outbox (as the locmem backend does)."""

from django.core.mail.backends.locmem import EmailBackend


class FailsForSomeBackend(EmailBackend):
    def send_messages(self, messages):
        for message in messages:
            if any(address.startswith("fails") for address in message.to):
                raise OSError("550 mailbox unavailable")
        return super().send_messages(messages)
