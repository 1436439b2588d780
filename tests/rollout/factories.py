"""Rollout factories, beside the shared ones in tests/factories.py."""

import factory

from rollout.models import Flag, RolloutState


class FlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Flag
        skip_postgeneration_save = True

    key = factory.Sequence(lambda n: f"flag-{n}")
    state = RolloutState.OFF
