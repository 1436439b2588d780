"""The three roadmaps, the share links sales reps hand out, and the public feed."""

import math
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from config.extensions import item_panels
from intake.roles import is_employee, is_sales, role_required
from intake.throttling import ScopedThrottle, throttled, too_many_requests

from . import customer_portal, following, public_http, selectors, services
from .forms import (
    CustomerRequestForm,
    InterestForm,
    InternalFilterForm,
    PreviewForm,
    ShareLinkForm,
)
from .models import CustomerAccount, CustomerInterest, RoadmapItem


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


def _customer_page(request, organization, *, account=None, status=200, **extra):
    """The customer roadmap of `organization`; with `account` (the customer themself) it offers
    "this matters to us", early access and "ask for something new"."""
    roadmap = selectors.customer_roadmap(organization)
    items = [item for column in roadmap["columns"].values() for item in column]
    can_ask = account is not None
    own_ideas = customer_portal.own_ideas(organization)
    interests = customer_portal.interests_of(
        organization,
        idea_ids=[idea.id for idea in own_ideas],
        user=account.user if account else None,
    )
    context = {
        "organization": organization,
        "roadmap": roadmap,
        "columns": _with_headings(roadmap),
        "item_panels": item_panels(
            "roadmap.customer_item", organization=organization, items=items, can_ask=can_ask
        ),
        "can_ask": can_ask,
        "item_interests": {pk: i for (kind, pk), i in interests.items() if kind == "item"},
        "idea_interests": {pk: i for (kind, pk), i in interests.items() if kind == "idea"},
        "own_ideas": own_ideas,
        "levels": CustomerInterest.Level.choices,
        **extra,
    }
    if can_ask:
        context.setdefault("request_form", CustomerRequestForm())
    return render(request, "roadmap/customer.html", context, status=status)


@require_GET
@never_cache
def customer(request):
    """A customer user's own organization; employees may preview any organization's view."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    account = customer_account_of(request.user)
    if account is not None:
        return _customer_page(
            request, account.organization, account=account, follow_email=request.user.email
        )
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


def _customer_only(view):
    """A customer's own actions: login for anonymous users, 403 for anyone without a customer
    account (an employee previewing a customer cannot act in its name)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login("/roadmap/customer/")
        account = customer_account_of(request.user)
        if account is None:
            raise PermissionDenied
        return view(request, account, *args, **kwargs)

    return wrapped


def _back_to(kind: str, pk: int) -> str:
    return f"{reverse('roadmap:customer')}#{kind}-{pk}"


@require_POST
@_customer_only
@throttled("writes")
def customer_interest(request, account):
    """ "This matters to us": say how much, change it, or withdraw it."""
    form = InterestForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        target = {"item_id": data["item"], "idea_id": data["idea"]}
        kind, pk = ("item", data["item"]) if data["item"] else ("idea", data["idea"])
        try:
            if data["withdraw"]:
                customer_portal.withdraw(account=account, **target)
                messages.success(request, "Withdrawn: it no longer counts for your organization.")
            else:
                customer_portal.say_it_matters(
                    account=account, level=data["level"], reason=data["reason"], **target
                )
                messages.success(request, "Thank you: our product team sees how much it matters.")
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(_back_to(kind, pk))
    errors = [message for messages_ in form.errors.values() for message in messages_]
    return _customer_page(request, account.organization, account=account, status=400,
                          interest_errors=errors)  # fmt: skip


@require_POST
@_customer_only
@throttled("submission")
def customer_request(request, account):
    """Ask for something new: a customer-portal signal in the PMs' inbox."""
    form = CustomerRequestForm(request.POST)
    if form.is_valid():
        try:
            customer_portal.ask_for_something_new(account=account, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Thank you: we have your request “{form.cleaned_data['title']}”. "
                "Our product team reads every one.",
            )
            return redirect(f"{reverse('roadmap:customer')}#ask")
    return _customer_page(
        request, account.organization, account=account, status=400, request_form=form
    )


SUGGESTION_QUERY_LENGTH = 500


@require_GET
@never_cache
@throttled("api", methods=("GET",))
def customer_similar(request):
    """What the customer may already find on their roadmap, as they type a request (JSON)."""
    account = customer_account_of(request.user)
    if account is None:
        return JsonResponse({"detail": "Customer accounts only."}, status=403)
    text = request.GET.get("q", "")[:SUGGESTION_QUERY_LENGTH]
    found = customer_portal.suggestions(account.organization, text)
    return JsonResponse(
        {
            "results": [
                {
                    "title": s.title,
                    "kind": s.kind,
                    "id": s.id,
                    "where": s.where,
                    "url": _back_to(s.kind, s.id),
                }
                for s in found
            ]
        }
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


# Following by e-mail ----------------------------------------------------------------------------
# The public page is cached without the request, so its follow form carries no CSRF token and
# `follow` cannot rely on one: a visitor's request has no ambient authority anyway (the double
# opt-in protects the address). Only a request that passes the CSRF check, from a logged-in
# customer, for their own address, gets customer wording; any other is treated as public.

LINK_HEADERS = {"X-Robots-Tag": "noindex, nofollow", "Referrer-Policy": "no-referrer"}
TOKEN_MAX_LENGTH = 300


class FollowPerEmailThrottle(ScopedThrottle):
    """Follow requests per e-mail address, whoever sends them; the key holds a hash of the
    address, never the address."""

    scope = "follow_per_email"

    def __init__(self, email: str):
        # Keyed by SECRET_KEY: the cache never holds a hash anyone could match to an address.
        self.email_key = salted_hmac("roadmap.follow_per_email", email).hexdigest()
        super().__init__()

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.email_key}


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _follow_refused(request, errors: dict[str, list[str]]):
    if _wants_json(request):
        return JsonResponse({"errors": errors}, status=400)
    return render(request, "roadmap/follow_error.html", {"errors": errors}, status=400)


def _follow_throttled(request, throttle):
    if _wants_json(request):
        response = JsonResponse({"errors": {"__all__": ["Too many requests."]}}, status=429)
        response["Retry-After"] = str(max(1, math.ceil(throttle.wait() or 1)))
        return response
    return too_many_requests(request, throttle.wait())


def _verified_customer(request, email: str):
    """The organization whose customer wording this request may have, or None (public)."""
    account = customer_account_of(request.user)
    if account is None or (request.user.email or "").strip().lower() != email:
        return None
    # The view is csrf-exempt for visitors; a customer's request must pass the check itself.
    if CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {}) is not None:
        return None
    return account.organization


@csrf_exempt
@require_POST
@never_cache
def follow(request):
    """`POST /roadmap/follow/` with `item` and `email`: start the double opt-in."""
    address_limit = ScopedThrottle("follow", by_address=True)
    if not address_limit.allow_request(request, None):
        return _follow_throttled(request, address_limit)
    try:
        item_id = int(request.POST.get("item", ""))
    except ValueError:
        return _follow_refused(request, {"item": ["Choose an item on the roadmap."]})
    try:
        email = following.normalise_email(request.POST.get("email", ""))
    except ValidationError as error:
        return _follow_refused(request, error.message_dict)
    email_limit = FollowPerEmailThrottle(email)
    if not email_limit.allow_request(request, None):
        return _follow_throttled(request, email_limit)
    try:
        followed = following.follow(
            item_id=item_id, email=email, organization=_verified_customer(request, email)
        )
    except ValidationError as error:
        return _follow_refused(request, error.message_dict)
    # The same answer whether or not the address already followed: never say who follows.
    if _wants_json(request):
        return JsonResponse({"status": "confirmation_pending"})
    return render(request, "roadmap/follow_sent.html", {"item": followed.item})


def _link_answer(request, template: str, context: dict, status: int = 200):
    response = render(request, template, context, status=status)
    for name, value in LINK_HEADERS.items():
        response[name] = value
    return response


def _link_problem(request, *, expired: bool):
    if expired:
        message = "This link has expired. Follow the item again from the roadmap."
        return _link_answer(request, "roadmap/follow_link.html", {"message": message}, 410)
    message = "This link is not valid. Copy the whole link from the e-mail."
    return _link_answer(request, "roadmap/follow_link.html", {"message": message}, 400)


@require_safe
@never_cache
def follow_confirm(request, token: str):
    """The confirmation link: confirms on GET (idempotent; confirming twice is harmless)."""
    if len(token) > TOKEN_MAX_LENGTH:
        return _link_problem(request, expired=False)
    try:
        _, item = following.confirm(token=token)
    except following.LinkExpired:
        return _link_problem(request, expired=True)
    except following.LinkInvalid:
        return _link_problem(request, expired=False)
    return _link_answer(request, "roadmap/follow_confirmed.html", {"item": item})


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def follow_unsubscribe(request, token: str):
    """RFC 8058: a mail client POSTs `List-Unsubscribe=One-Click` without cookies, so this is
    csrf-exempt (the signed token is the authority). A GET only shows the button: mail
    scanners prefetch links, and must not unsubscribe anyone."""
    if len(token) > TOKEN_MAX_LENGTH:
        return _link_problem(request, expired=False)
    try:
        if request.method == "POST":
            following.unsubscribe(token=token)
        else:
            following.check_unsubscribe(token=token)
    except following.LinkInvalid:
        return _link_problem(request, expired=False)
    done = request.method == "POST"
    return _link_answer(request, "roadmap/follow_unsubscribe.html", {"done": done})
