"""What a customer does on their own roadmap: say "this matters to us" about an item or an idea
they can see, change or withdraw it, ask for something new, and find what already exists.

Everything here is scoped to what the customer may see: customer-visible items in customer
text, and the ideas their own organization asked for, in their customer summary. What a
customer writes becomes customer-portal signals (intake), which the inbox, the idea page and
scoring count like any other signal.
"""

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from intake import services as intake_services
from intake.duplicates import STOPWORDS, terms
from intake.models import CUSTOMER_INTEREST_PREFIX, Idea, Signal

from .models import CustomerAccount, CustomerInterest, RoadmapItem

Level = CustomerInterest.Level
CUSTOMER_VISIBLE = (RoadmapItem.Visibility.CUSTOMER, RoadmapItem.Visibility.PUBLIC)
REASON_MAX_LENGTH = 2000
# The external ids of the signals an interest counts as: "interest:<id>:<idea id or inbox>".
INTEREST_KEY = CUSTOMER_INTEREST_PREFIX
# The ideas a customer sees on their page (newest first): an organization that asked for
# thousands of things still gets a page of the same cost.
IDEAS_LISTED = 50
SUGGESTIONS = 5
# Suggestions rank at most this many of the organization's own ideas (newest first) beside
# every customer-visible item and the ideas those items deliver.
OWN_IDEAS_RANKED = 500


# What the customer may see --------------------------------------------------------------------


def visible_items() -> QuerySet[RoadmapItem]:
    return RoadmapItem.objects.filter(visibility__in=CUSTOMER_VISIBLE).exclude(customer_title="")


def _own_idea_ids(organization) -> set[int]:
    """The ideas this organization gave a signal: read from its own signals (indexed), so the
    cost follows the organization, not the size of the backlog."""
    return set(
        Signal.objects.filter(organization=organization, idea__isnull=False)
        # Saying an item matters counts on each of its ideas, other customers' requests among
        # them: that does not make them this organization's own.
        .exclude(source=Signal.Source.CUSTOMER_PORTAL, external_id__startswith=INTEREST_KEY)
        .values_list("idea_id", flat=True)
        .distinct()
    )


def _readable(ids: set[int]) -> QuerySet[Idea]:
    return (
        Idea.objects.filter(pk__in=sorted(ids))
        .exclude(customer_summary="")
        .exclude(status=Idea.Status.MERGED)
    )


def visible_ideas(organization) -> QuerySet[Idea]:
    """Ideas this organization may see (in their customer summary): those it asked for itself,
    never merged, never without a customer summary. The ideas of a customer-visible item are
    other customers' requests too (their summaries may name them): the item stands for them."""
    return _readable(_own_idea_ids(organization))


def summary_title(summary: str) -> str:
    """An idea's customer summary, as a one-line title."""
    line = next((part.strip() for part in summary.splitlines() if part.strip()), "")
    return line if len(line) <= 200 else line[:199].rstrip() + "…"


@dataclass(frozen=True)
class CustomerIdeaRow:
    id: int
    title: str
    summary: str
    status: str
    status_label: str


def own_ideas(organization) -> list[CustomerIdeaRow]:
    """The ideas this organization asked for that customers may read about, newest first."""
    rows = (
        visible_ideas(organization)
        .order_by("-created_at", "-pk")
        .values("id", "customer_summary", "status")[:IDEAS_LISTED]
    )
    return [
        CustomerIdeaRow(
            id=row["id"],
            title=summary_title(row["customer_summary"]),
            summary=row["customer_summary"],
            status=row["status"],
            status_label=Idea.Status(row["status"]).label,
        )
        for row in rows
    ]


# How much things matter to the organization ---------------------------------------------------


@dataclass
class Interest:
    """What one organization said about one item or idea, as its own people see it."""

    people: int = 0
    mine: str = ""  # the viewer's own level, if they said it
    mine_label: str = ""

    @property
    def colleagues(self) -> int:
        return self.people - (1 if self.mine else 0)


def interests_of(
    organization, *, idea_ids: Iterable[int] = (), user=None
) -> dict[tuple[str, int], Interest]:
    """{("item"|"idea", id): Interest} for the organization's items and the ideas `idea_ids`
    (those on the page), in one query: how many of its people said it matters, and what the
    viewer said. Never another organization's."""
    found: dict[tuple[str, int], Interest] = defaultdict(Interest)
    rows = (
        CustomerInterest.objects.filter(organization=organization)
        .filter(Q(item__isnull=False) | Q(idea_id__in=list(idea_ids)))
        .values_list("item_id", "idea_id", "user_id", "level")
    )
    labels = dict(Level.choices)
    for item_id, idea_id, user_id, level in rows:
        interest = found[("item", item_id) if item_id else ("idea", idea_id)]
        interest.people += 1
        if user is not None and user_id == user.pk:
            interest.mine, interest.mine_label = level, labels[level]
    return dict(found)


def _target(organization, *, item_id: int | None, idea_id: int | None):
    if bool(item_id) == bool(idea_id):
        raise ValidationError("Say which item or idea matters to you.")
    if item_id:
        item = visible_items().filter(pk=item_id).first()
        if item is None:
            raise ValidationError("That item is not on your roadmap.")
        return item, None
    idea = visible_ideas(organization).filter(pk=idea_id).first()
    if idea is None:
        raise ValidationError("That idea is not one you can see.")
    return None, idea


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            f"Keep the reason to {REASON_MAX_LENGTH} characters (it has {len(reason)})."
        )
    return reason


def _person(user) -> tuple[str, str]:
    return (user.get_full_name() or user.get_username()), user.email


@transaction.atomic
def say_it_matters(
    *,
    account: CustomerAccount,
    item_id: int | None = None,
    idea_id: int | None = None,
    level: str,
    reason: str = "",
) -> CustomerInterest:
    """Record (or change) how much an item or idea matters to this person of the customer.

    An item counts on each idea it delivers (one signal per idea; an item without ideas waits
    in the inbox as one signal); an idea counts on itself. Saying it again changes the same
    signals: one person counts once, and their organization counts as itself.
    """
    if level not in Level.values:
        raise ValidationError("Choose nice to have, important or blocker.")
    reason = _clean_reason(reason)
    organization, user = account.organization, account.user
    item, idea = _target(organization, item_id=item_id, idea_id=idea_id)
    interest, _ = CustomerInterest.objects.select_for_update().get_or_create(
        user=user,
        item=item,
        idea=idea,
        defaults={"organization": organization, "level": level},
    )
    if item is not None:
        ideas = list(item.ideas.exclude(status=Idea.Status.MERGED).order_by("pk")) or [None]
        title = item.customer_title
    else:
        ideas, title = [idea], summary_title(idea.customer_summary)
    author, email = _person(user)
    keys = []
    for target in ideas:
        key = f"{INTEREST_KEY}{interest.pk}:{target.pk if target else 'inbox'}"
        intake_services.record_customer_interest(
            external_id=key,
            idea=target,
            title=f"{organization.name}: {title}",
            words=reason,
            author=author,
            author_email=email,
            organization=organization,
            urgency=level,
        )
        keys.append(key)
    # An item whose ideas changed since: what the person said no longer counts on the old ones.
    intake_services.withdraw_customer_interest(
        external_ids=[key for key in interest.signal_keys if key not in keys]
    )
    interest.organization, interest.level, interest.reason = organization, level, reason
    interest.signal_keys = keys
    interest.save()
    return interest


@transaction.atomic
def withdraw(
    *, account: CustomerAccount, item_id: int | None = None, idea_id: int | None = None
) -> bool:
    """Take back what this person said about an item or idea; their signals go with it."""
    lookup = {"item_id": item_id} if item_id else {"idea_id": idea_id}
    interest = CustomerInterest.objects.filter(user=account.user, **lookup).first()
    if interest is None:
        return False
    intake_services.withdraw_customer_interest(external_ids=interest.signal_keys)
    interest.delete()
    return True


def ask_for_something_new(*, account: CustomerAccount, title: str, words: str) -> Signal:
    """A customer's own request, to the PMs' inbox as a customer-portal signal."""
    author, email = _person(account.user)
    return intake_services.submit_customer_request(
        title=title,
        words=words,
        author=author,
        author_email=email,
        organization=account.organization,
    )


# Suggestions as the customer types ------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "item" or "idea"
    id: int
    title: str
    where: str  # the item's stage, or the idea's status, in customer words


WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> list[str]:
    """The duplicate engine's terms (stems, synonyms, phrases such as "audit log") and the
    plain words beside them, so that a word still being typed finds its prefix."""
    plain = [w for w in WORD.findall((text or "").lower()) if len(w) > 1 and w not in STOPWORDS]
    return terms(text) + plain


def _candidates(organization) -> list[tuple[Suggestion, list[str]]]:
    """Every document a customer may be offered, with its terms (title counted twice)."""
    found: list[tuple[Suggestion, list[str]]] = []
    items = visible_items().values_list("id", "customer_title", "customer_description", "stage")
    for pk, title, description, stage in items:
        found.append(
            (
                Suggestion("item", pk, title, RoadmapItem.Stage(stage).label),
                _words(title) * 2 + _words(description),
            )
        )
    own = visible_ideas(organization).order_by("-created_at", "-pk")[:OWN_IDEAS_RANKED]
    for pk, summary, status in own.values_list("id", "customer_summary", "status"):
        title = summary_title(summary)
        suggestion = Suggestion("idea", pk, title, Idea.Status(status).label)
        found.append((suggestion, _words(title) * 2 + _words(summary)))
    return found


def suggestions(organization, text: str, *, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """What this customer may already find on their roadmap that looks like `text`: ranked by
    the customer-visible words only (an internal title never decides what is shown), the last
    word matching as a prefix while it is being typed."""
    wanted = _words(text)
    if not wanted:
        return []
    candidates = _candidates(organization)
    if not candidates:
        return []
    typed = WORD.findall(text.lower())
    typing = typed[-1] if typed and not text[-1].isspace() else None
    frequencies: Counter = Counter()
    documents = []
    for suggestion, words in candidates:
        counts = Counter(words)
        documents.append((suggestion, counts))
        frequencies.update(set(counts))
    total = len(documents)
    scored = []
    for suggestion, counts in documents:
        score = 0.0
        for word in set(wanted):
            hits = counts.get(word, 0)
            df = frequencies.get(word, 0)
            if not hits and word == typing:
                prefixed = [w for w in counts if w.startswith(word)]
                hits = sum(counts[w] for w in prefixed)
                df = max((frequencies[w] for w in prefixed), default=0)
            if hits:
                score += (1 + math.log(hits)) * math.log(1 + total / df)
        if score:
            scored.append((score, suggestion))
    scored.sort(key=lambda pair: (-pair[0], pair[1].kind, pair[1].title))
    return [suggestion for _, suggestion in scored[:limit]]
