"""Roadmap factories, beside the shared ones in tests/factories.py."""

from datetime import timedelta

import factory
from django.utils import timezone

from roadmap.models import CustomerAccount, Follower, RoadmapItem, ShareLink, Webhook
from tests.factories import OrganizationFactory, UserFactory


class RoadmapItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoadmapItem
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Internal item {n}")
    visibility = RoadmapItem.Visibility.INTERNAL
    horizon = RoadmapItem.Horizon.NOW
    stage = RoadmapItem.Stage.IN_DEVELOPMENT

    @factory.post_generation
    def ideas(self, create, extracted, **kwargs):
        if create and extracted:
            self.ideas.set(extracted)


class CustomerItemFactory(RoadmapItemFactory):
    visibility = RoadmapItem.Visibility.CUSTOMER
    customer_title = factory.Sequence(lambda n: f"Customer item {n}")
    customer_description = "What customers read."


class PublicItemFactory(CustomerItemFactory):
    visibility = RoadmapItem.Visibility.PUBLIC
    public_title = factory.Sequence(lambda n: f"Public item {n}")
    public_description = "What everyone reads."


class CustomerAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerAccount

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)


class ShareLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShareLink

    organization = factory.SubFactory(OrganizationFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class WebhookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Webhook

    name = factory.Sequence(lambda n: f"Hook {n}")
    url = "http://127.0.0.1:9/"
    events = factory.LazyFunction(lambda: [choice for choice, _ in Webhook.Event.choices])
    secret = "a-long-shared-secret-0123456789"


class FollowerFactory(factory.django.DjangoModelFactory):
    """A confirmed public follower of a public item."""

    class Meta:
        model = Follower

    item = factory.SubFactory(PublicItemFactory)
    email = factory.Sequence(lambda n: f"follower{n}@example.net")
    audience = Follower.Audience.PUBLIC
    confirmed_at = factory.LazyFunction(timezone.now)
