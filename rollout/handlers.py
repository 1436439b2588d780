"""Domain-event handlers of the rollout app (registered in config/events.py)."""

from . import services


def on_item_stage_changed(payload: dict) -> None:
    """`item.stage_changed` {item_id, previous_stage, stage}: unpinned flags follow the stage
    policy. Idempotent: a flag already where the policy puts it is left alone."""
    services.apply_stage_policy(item_id=payload["item_id"], stage=payload["stage"])
