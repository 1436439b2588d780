"""Factories for the rows tests need; each app's tests may add their own beside them."""

import factory
from django.contrib.auth.models import Group, User

from intake import demand
from intake.duplicates import decisions
from intake.duplicates.engines import engine_key
from intake.models import DuplicateDecision, Idea, Organization, Signal, Team


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw-for-tests")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set([Group.objects.get_or_create(name=name)[0] for name in extracted])


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Customer {n}")
    plan = Organization.Plan.ENTERPRISE
    arr = 100000


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class IdeaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Idea

    title = factory.Sequence(lambda n: f"Idea number {n}")
    description = "Why it matters."


class SignalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signal

    source = Signal.Source.EMPLOYEE
    external_id = factory.Sequence(lambda n: f"ext-{n}")
    title = factory.Sequence(lambda n: f"Signal {n}")
    author = factory.Sequence(lambda n: f"author{n}")
    idea = factory.SubFactory(IdeaFactory)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        # The services record an event whose handler stores the idea's demand counts; a
        # factory writes the row directly, so it stores them itself.
        super()._after_postgeneration(instance, create, results)
        if create and instance.idea_id:
            demand.recount(idea_ids=[instance.idea_id])


class SalesSignalFactory(SignalFactory):
    source = Signal.Source.SALES
    organization = factory.SubFactory(OrganizationFactory)
    arr_at_stake = 50000
    deal_stage = Signal.DealStage.OPEN
    urgency = Signal.Urgency.BLOCKER


class DuplicateDecisionFactory(factory.django.DjangoModelFactory):
    """A PM's triage decision as the engine in use recorded it."""

    class Meta:
        model = DuplicateDecision

    kind = DuplicateDecision.Kind.ATTACHED
    arrival = True
    chosen_idea_id = 1
    engine = factory.LazyFunction(engine_key)
    candidates = factory.LazyFunction(list)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        # The service forgets what was learned when a decision commits; a factory writes the
        # row directly, so it forgets it itself.
        super()._after_postgeneration(instance, create, results)
        decisions.forget()


def api_token(user) -> str:
    """A new API token for `user`, as `create_api_token` prints it."""
    from accounts.services import create_api_token

    return create_api_token(user=user, name="tests")[1]
