"""What the CRM app does when a domain event is recorded (config/events.py); safe to repeat."""

from . import notices


def tell_account_owners(payload: dict) -> None:
    """An item shipped: the account owners of the customers who asked for it hear it once."""
    notices.tell_account_owners(item_id=payload["item_id"])
