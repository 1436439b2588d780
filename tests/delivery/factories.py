"""Delivery factories: links as a sync would have left them."""

import factory

from delivery.models import ItemDelivery, WorkLink
from tests.roadmap.factories import RoadmapItemFactory


class WorkLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkLink

    item = factory.SubFactory(RoadmapItemFactory)
    tracker = "github"
    kind = WorkLink.Kind.ISSUE
    key = factory.Sequence(lambda n: f"meshvpn/client#{n + 1}")
    url = factory.LazyAttribute(
        lambda link: "https://github.com/meshvpn/client/issues/" + link.key.split("#")[1]
    )
    state = "open"


class ItemDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ItemDelivery
