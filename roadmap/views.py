"""The three roadmaps, the share links sales reps hand out, and the public feed."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from config.extensions import item_panels
from intake.roles import is_employee, is_sales, role_required
from intake.throttling import throttled

from . import public_http, selectors, services
from .forms import InternalFilterForm, PreviewForm, ShareLinkForm
from .models import CustomerAccount, RoadmapItem


def explain_score(breakdown, renewals=None) -> list[str]:
    """The scoring app's words for a score ("why is this #3"), where it is installed."""
    if not breakdown:
        return []
    try:
        from scoring.explain import describe
    except ImportError:
        return []
    return describe(breakdown, renewals=renewals)


def renewals_soon(idea_ids: list[int]) -> dict[int, list]:
    """Who among each idea's askers renews within 90 days: one query, internal pages only."""
    try:
        from scoring.selectors import renewals_soon as select
    except ImportError:
        return {}
    return select(idea_ids, today=timezone.localdate())


def customer_account_of(user) -> CustomerAccount | None:
    if not user.is_authenticated or not user.is_active:
        return None
    return CustomerAccount.objects.select_related("organization").filter(user=user).first()


def is_customer(user) -> bool:
    return customer_account_of(user) is not None


# Internal ---------------------------------------------------------------------------------------


@require_GET
@role_required(is_employee)
def internal(request):
    motions = selectors.motions_available()
    form = InternalFilterForm(request.GET or None, motions=motions)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    status = 400 if form.is_bound and form.errors else 200
    items = list(selectors.internal_items(filters)) if status == 200 else []
    renewals = renewals_soon([idea.pk for item in items for idea in item.ideas.all()])
    for item in items:
        for idea in item.ideas.all():
            idea.score_lines = explain_score(
                getattr(idea, "score_breakdown", None), renewals.get(idea.pk)
            )
    declined, declined_total = selectors.not_doing()
    context = {
        "form": form,
        "items": items,
        "declined": declined,
        "declined_total": declined_total,
        "horizons": RoadmapItem.Horizon.choices,
        "item_panels": item_panels("roadmap.internal_item", items=items),
    }
    return render(request, "roadmap/internal.html", context, status=status)


# Customer ---------------------------------------------------------------------------------------

COLUMN_HEADINGS = (("now", "Now"), ("next", "Next"), ("later", "Later"), ("shipped", "Shipped"))


def _with_headings(roadmap: dict) -> list[tuple[str, str, list]]:
    return [(key, label, roadmap["columns"][key]) for key, label in COLUMN_HEADINGS]


def _customer_page(request, organization, *, can_ask: bool = False, **extra):
    roadmap = selectors.customer_roadmap(organization)
    items = [item for column in roadmap["columns"].values() for item in column]
    context = {
        "organization": organization,
        "roadmap": roadmap,
        "columns": _with_headings(roadmap),
        "item_panels": item_panels(
            "roadmap.customer_item", organization=organization, items=items, can_ask=can_ask
        ),
        **extra,
    }
    return render(request, "roadmap/customer.html", context)


@require_GET
@never_cache
def customer(request):
    """A customer user's own organization; employees may preview any organization's view."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    account = customer_account_of(request.user)
    if account is not None:
        return _customer_page(request, account.organization, can_ask=True)
    if not is_employee(request.user):
        raise PermissionDenied
    form = PreviewForm(request.GET or None)
    if not (form.is_bound and form.is_valid()):
        status = 400 if form.is_bound else 200
        return render(request, "roadmap/customer_preview.html", {"form": form}, status=status)
    if form.cleaned_data["organization"]:
        finder = PreviewForm()
        return _customer_page(
            request, form.cleaned_data["organization"], preview=True, preview_form=finder
        )
    matches, more = selectors.organizations_named(form.cleaned_data["name"])
    return render(
        request,
        "roadmap/customer_preview.html",
        {"form": form, "matches": matches, "more": more, "searched": True},
    )


@require_GET
@never_cache
def shared(request, token: str):
    """A sales rep's link: anyone holding it sees that organization's customer roadmap."""
    link = selectors.share_link_for_token(token)
    if link is None:
        raise Http404("No such link.")
    if not link.is_active():
        response = render(request, "roadmap/link_gone.html", {"link": link}, status=410)
    else:
        services.share_link_opened(link)
        response = _customer_page(request, link.organization, shared_link=link)
    # The token is the credential: keep it out of search engines and other sites' logs.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_http_methods(["GET", "POST"])
@role_required(is_sales)
@throttled("writes")
def share_links(request):
    form = ShareLinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_share_link(
                organization=form.cleaned_data["organization"],
                user=request.user,
                days=form.cleaned_data["days"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("roadmap:share-links")
    context = {"form": form, "links": selectors.share_links_of(request.user)}
    return render(request, "roadmap/share_links.html", context, status=400 if form.errors else 200)


@require_POST
@role_required(is_sales)
def revoke_share_link(request, pk: int):
    link = get_object_or_404(selectors.share_links_of(request.user), pk=pk)
    services.revoke_share_link(link=link)
    return redirect("roadmap:share-links")


# Public -----------------------------------------------------------------------------------------


def cached_public(name: str, render_body, content_type: str):
    """Serve a public page from the shared cache, rendered once per roadmap change.

    The body never depends on who asks (it is rendered without the request, so no user name,
    CSRF token or message can end up in it), which is what makes `Cache-Control: public` and
    a shared cache safe. Conditional requests get a 304 from the ETag.
    """

    def view(request):
        version, cached = services.cached_public_page(name)
        if cached is None:
            body = render_body(request).encode()
            cached = (body, public_http.etag_of(body))
            services.store_public_page(name, version, cached)
        body, etag = cached
        return public_http.not_modified_or(
            request, HttpResponse(body, content_type=content_type), etag
        )

    return require_safe(view)


def _render_public(request) -> str:
    roadmap = selectors.public_roadmap()
    return render_to_string(
        "roadmap/public.html", {"roadmap": roadmap, "columns": _with_headings(roadmap)}
    )


public = cached_public("page", _render_public, "text/html; charset=utf-8")
