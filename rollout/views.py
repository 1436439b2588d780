"""Pages: a flag's history (employees) and a customer's early-access request."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from intake.roles import is_employee, role_required
from intake.throttling import throttled
from roadmap.models import CustomerAccount, RoadmapItem

from . import services
from .models import Flag


def _changes(record, previous) -> list[str]:
    if previous is None:
        return ["created"]
    delta = record.diff_against(previous)
    return [f"{c.field}: {c.old!s} → {c.new!s}" for c in delta.changes]


@require_GET
@role_required(is_employee)
def flag_history(request, key: str):
    """Who changed the flag, when, from what to what (newest first)."""
    flag = get_object_or_404(Flag.objects.select_related("item", "owner_team", "pm"), key=key)
    # One more than shown: each row is compared with the one before it.
    records = list(flag.history.select_related("history_user").order_by("-history_date")[:201])
    rows = [
        {
            "when": r.history_date,
            "who": r.history_user.get_username() if r.history_user else "system",
            "why": r.history_change_reason or "",
            "changes": _changes(r, records[n + 1] if n + 1 < len(records) else None),
        }
        for n, r in enumerate(records[:200])
    ]
    return render(request, "rollout/flag_history.html", {"flag": flag, "rows": rows})


@require_POST
@throttled("writes")
def request_early_access(request, item_id: int):
    """A customer user asks for their organization to join an item's Alpha."""
    if not request.user.is_authenticated:
        return redirect_to_login("/roadmap/customer/")
    account = CustomerAccount.objects.select_related("organization").filter(user=request.user)
    account = account.first()
    if account is None:
        raise PermissionDenied
    item = get_object_or_404(
        RoadmapItem.objects.exclude(visibility=RoadmapItem.Visibility.INTERNAL).exclude(
            customer_title=""
        ),
        pk=item_id,
    )
    flag = item.flags.filter(killed_at=None).order_by("key").first()
    if flag is None:
        messages.error(request, "Early access is not open for this item.")
        return redirect("roadmap:customer")
    try:
        services.request_early_access(
            flag=flag, organization=account.organization, user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("roadmap:customer")
    messages.success(request, "Thanks: we have your request for early access.")
    return redirect(f"/roadmap/customer/#item-{item.pk}")
