from axes.helpers import get_cool_off
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from intake.roles import is_pm, role_required
from intake.throttling import throttled, too_many_requests

from . import selectors, services
from .forms import ApiTokenForm


@role_required(is_pm)
@throttled("writes")
def api_tokens(request):
    """A PM makes and revokes their own API tokens; a superuser anyone's. A new token is shown
    once, on the answer to the POST that made it (never stored, never redirected to)."""
    form = ApiTokenForm(
        request.POST if request.method == "POST" else None, for_anyone=request.user.is_superuser
    )
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            token, new_token = services.create_api_token(
                user=form.cleaned_data.get("user") or request.user,
                name=form.cleaned_data["name"],
                expires_days=form.cleaned_data["expires_days"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            form = ApiTokenForm(for_anyone=request.user.is_superuser)
    context = {
        "form": form,
        "new_token": new_token,
        "tokens": selectors.api_tokens_managed_by(request.user),
    }
    response = render(
        request, "accounts/api_tokens.html", context, status=400 if form.errors else 200
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@role_required(is_pm)
def revoke_api_token(request, digest: str):
    token = get_object_or_404(selectors.api_tokens_managed_by(request.user), digest=digest)
    services.revoke_api_token(token=token)
    return redirect("api-tokens")


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer once an account or address is locked out: a page saying so, 429."""
    cool_off = get_cool_off(request)
    seconds = cool_off.total_seconds() if cool_off else None
    return too_many_requests(request, seconds, template="registration/locked_out.html")
