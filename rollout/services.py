"""Writes of the rollout domain. Every write that can change an answer bumps the revision in
the same transaction, so every process recompiles within ROLLOUT_REFRESH_SECONDS."""

import csv
import io
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from intake import events
from intake import services as intake_services
from intake.models import Organization, Signal

from . import selectors
from .models import (
    ClientVersionCount,
    EarlyAccessRequest,
    Flag,
    Revision,
    RolloutState,
    SdkKey,
    hash_sdk_key,
)

MAX_CLIENT_VERSIONS = 10_000


def bump_revision() -> None:
    changes = {"number": F("number") + 1, "token": uuid.uuid4().hex}
    if not Revision.objects.filter(pk=1).update(**changes):
        try:
            with transaction.atomic():
                Revision.objects.create(pk=1, number=1, token=changes["token"])
        except IntegrityError:
            Revision.objects.filter(pk=1).update(**changes)


def _record(flag: Flag, *, user, reason: str) -> None:
    """Who changed the flag and why, in its history (simple_history reads these two)."""
    flag._history_user = user if user is not None and user.is_authenticated else None
    flag._change_reason = reason[:100]


# Flags ------------------------------------------------------------------------------------------


@transaction.atomic
def save_flag(*, flag: Flag, user=None, reason: str = "") -> Flag:
    """Save a flag edited by a person; its state's clock restarts when the state changes."""
    if flag.state not in RolloutState.values:
        raise ValidationError({"state": "Choose a rollout state."})
    flag.clean()
    previous = Flag.objects.filter(pk=flag.pk).values_list("state", flat=True).first()
    if previous is not None and previous != flag.state:
        flag.state_changed_at = timezone.now()
    _record(flag, user=user, reason=reason)
    flag.save()
    bump_revision()
    return flag


@transaction.atomic
def set_rollout(
    *, flag: Flag, state: str, percentage: int | None = None, user=None, reason: str = ""
) -> Flag:
    """Move a flag to a rollout state (and percentage); recorded in its history."""
    if state not in RolloutState.values:
        raise ValidationError({"state": "Choose a rollout state."})
    if percentage is not None and not 0 <= percentage <= 100:
        raise ValidationError({"percentage": "A percentage runs from 0 to 100."})
    flag = Flag.objects.select_for_update().get(pk=flag.pk)
    flag.state = state
    if percentage is not None:
        flag.percentage = percentage
    return save_flag(flag=flag, user=user, reason=reason)


@transaction.atomic
def apply_stage_policy(*, item_id: int, stage: str) -> list[Flag]:
    """Set every unpinned flag of the item to what the stage policy says for `stage`.

    Idempotent: a flag already in that state and percentage is left untouched.
    """
    state, percentage = selectors.policy_for(stage)
    changed = []
    for flag in Flag.objects.select_for_update().filter(item_id=item_id, pinned=False):
        if (flag.state, flag.percentage) == (state, percentage):
            continue
        changed.append(
            set_rollout(
                flag=flag, state=state, percentage=percentage, reason=f"Stage policy: {stage}"
            )
        )
    return changed


@transaction.atomic
def kill_flag(*, flag: Flag, reason: str, user=None) -> Flag:
    """Turn the flag off for everyone at once. The reason is required and kept; owners are
    told by e-mail and webhooks hear `flag.killed`. Killing a killed flag changes nothing."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the flag is killed."})
    flag = Flag.objects.select_for_update(of=("self",)).select_related("item").get(pk=flag.pk)
    if flag.killed:
        return flag
    flag.killed_at = timezone.now()
    flag.killed_by = user if user is not None and user.is_authenticated else None
    flag.kill_reason = reason
    _record(flag, user=user, reason=f"Killed: {reason}")
    flag.save()
    bump_revision()
    events.record("flag.killed", flag_id=flag.pk)
    return flag


@transaction.atomic
def unkill_flag(*, flag: Flag, user=None, reason: str = "") -> Flag:
    """Undo a kill: the flag answers from its rollout state again; recorded in its history."""
    flag = Flag.objects.select_for_update().get(pk=flag.pk)
    if not flag.killed:
        raise ValidationError(f"{flag.key} is not killed.")
    flag.killed_at, flag.killed_by, flag.kill_reason = None, None, ""
    _record(flag, user=user, reason=f"Kill undone{': ' + reason if reason else ''}")
    flag.save()
    bump_revision()
    return flag


# SDK keys ---------------------------------------------------------------------------------------


def create_sdk_key(*, name: str) -> tuple[SdkKey, str]:
    """A new key; the secret is returned once and only its hash is kept."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Name the key after who uses it."})
    secret = SdkKey.new_secret()
    key = SdkKey.objects.create(name=name, key_hash=hash_sdk_key(secret), hint=secret[-4:])
    return key, secret


def revoke_sdk_keys(keys) -> int:
    return keys.filter(revoked_at=None).update(revoked_at=timezone.now())


# Client adoption --------------------------------------------------------------------------------


def _clean_versions(rows) -> dict[str, int]:
    from openfeature.contrib.tools.flagd.core.targeting.custom_ops import normalize_version

    if not isinstance(rows, list) or not rows:
        raise ValidationError("Send a non-empty list of {version, devices}.")
    if len(rows) > MAX_CLIENT_VERSIONS:
        raise ValidationError(f"At most {MAX_CLIENT_VERSIONS} versions at once.")
    counts: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise ValidationError(f"Row {number}: expected version and devices.")
        version, devices = str(row.get("version", "")).strip(), row.get("devices")
        try:
            normalize_version(version)
        except ValueError:
            raise ValidationError(f"Row {number}: “{version[:50]}” is not a version.") from None
        if isinstance(devices, str) and devices.strip().isdigit():
            devices = int(devices)
        if isinstance(devices, bool) or not isinstance(devices, int) or devices < 0:
            raise ValidationError(f"Row {number}: devices must be a whole number, 0 or more.")
        if version in counts:
            raise ValidationError(f"Row {number}: {version} is listed twice.")
        counts[version] = devices
    return counts


@transaction.atomic
def replace_client_versions(*, rows: list) -> int:
    """Replace the adoption snapshot with these {version, devices} rows (all or nothing)."""
    counts = _clean_versions(rows)
    ClientVersionCount.objects.all().delete()
    ClientVersionCount.objects.bulk_create(
        ClientVersionCount(version=v, devices=d) for v, d in counts.items()
    )
    bump_revision()
    return len(counts)


def client_versions_from_csv(data: bytes) -> list[dict]:
    """Rows of a CSV with a `version` and a `devices` column."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("The file is not UTF-8 text.") from None
    reader = csv.DictReader(io.StringIO(text))
    fields = {(f or "").strip().lower() for f in reader.fieldnames or []}
    if not {"version", "devices"} <= fields:
        raise ValidationError("The CSV needs a header row with `version` and `devices` columns.")
    return [
        {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()} for row in reader
    ]


# Early access -----------------------------------------------------------------------------------


@transaction.atomic
def request_early_access(*, flag: Flag, organization: Organization, user) -> EarlyAccessRequest:
    """An organization asks to join an Alpha: a signal from it on each of the item's ideas (the
    demand counts), and a request a PM approves. Asking twice changes nothing."""
    item = flag.item
    if item is None or item.stage != item.Stage.ALPHA or flag.killed:
        raise ValidationError("Early access is open only while the item is in Alpha.")
    request, created = EarlyAccessRequest.objects.get_or_create(
        flag=flag, organization=organization, defaults={"requested_by": user}
    )
    if not created:
        return request
    title = item.customer_title or item.title
    for idea in item.ideas.exclude(status="merged").order_by("pk"):
        signal, _ = intake_services.upsert_signal(
            source=Signal.Source.API,
            external_id=f"early-access:{flag.key}:{organization.pk}:{idea.pk}",
            title=f"Early access request: {title}"[:300],
            body=f"{organization.name} asked to join the Alpha of “{title}”.",
            author=user.get_full_name() or user.get_username(),
            author_email=user.email,
            organization=organization,
        )
        intake_services.attach_signals(signal_ids=[signal.pk], idea=idea)
    return request


@transaction.atomic
def decide_early_access(*, request: EarlyAccessRequest, approve: bool, user) -> None:
    """A PM's decision; approving adds the organization to the flag's opt-in list."""
    request = EarlyAccessRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != EarlyAccessRequest.Status.PENDING:
        return
    request.status = (
        EarlyAccessRequest.Status.APPROVED if approve else EarlyAccessRequest.Status.DECLINED
    )
    request.decided_by, request.decided_at = user, timezone.now()
    request.save()
    if approve:
        flag = request.flag
        _record(flag, user=user, reason=f"Early access: {request.organization.name}"[:100])
        flag.opted_in.add(request.organization)
        bump_revision()
