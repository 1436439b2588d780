"""API shapes. Public and customer serializers read the selectors' dataclasses, which carry
only their audience's fields; internal serializers read models."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from intake.models import Idea, Organization, Signal
from intake.services import API_SOURCES as intake_api_sources
from intake.text import validate_no_control_characters

from .models import RoadmapItem


@extend_schema_field({"type": "string", "nullable": True})
class NullableNameField(serializers.StringRelatedField):
    """The name of an optional related row (a team, a PM, an organization), or null."""


def _surface_field():
    # Read-only model fields lose `allow_blank`, and with it the "" in the schema's enum.
    return serializers.ChoiceField(choices=Idea.Surface.choices, allow_blank=True, read_only=True)


class VoteLinkSerializer(serializers.Serializer):
    url = serializers.URLField()
    site = serializers.CharField()


class OutsideItemSerializer(serializers.Serializer):
    """The fields of `selectors.OutsideItem`: what customers and the public both see."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    horizon = serializers.ChoiceField(choices=RoadmapItem.Horizon.choices)
    stage = serializers.ChoiceField(choices=RoadmapItem.Stage.choices)
    stage_label = serializers.CharField()
    min_client_version = serializers.CharField()


class PublicItemSerializer(OutsideItemSerializer):
    shipped_at = serializers.DateTimeField(allow_null=True)
    changelog = serializers.CharField()
    vote_links = VoteLinkSerializer(many=True)


class CustomerItemSerializer(OutsideItemSerializer):
    asked = serializers.BooleanField(help_text="Your organization asked for this.")


class CustomerIdeaSerializer(serializers.Serializer):
    """An idea the customer's organization asked for, in customer words only."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Idea.Status.choices)
    summary = serializers.CharField()
    roadmap_items = serializers.ListField(child=serializers.IntegerField())


class InternalIdeaSerializer(serializers.ModelSerializer):
    team = NullableNameField()
    pm = NullableNameField()
    surface = _surface_field()
    signal_count = serializers.IntegerField(read_only=True)
    organization_count = serializers.IntegerField(read_only=True)
    source_kind_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Idea
        fields = [
            "id", "title", "description", "status", "pillar", "surface", "product_area", "team",
            "pm", "internal_notes", "customer_summary", "public_summary", "decline_reason",
            "revisit_when", "merged_into", "signal_count", "organization_count",
            "source_kind_count", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class InternalItemSerializer(serializers.ModelSerializer):
    team = NullableNameField()
    pm = NullableNameField()
    surface = _surface_field()
    ideas = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    delivery = serializers.SerializerMethodField()

    class Meta:
        model = RoadmapItem
        fields = [
            "id", "title", "internal_notes", "customer_title", "customer_description",
            "public_title", "public_description", "visibility", "horizon", "stage", "priority",
            "team", "pm", "quarter", "committed", "surface", "min_client_version", "ideas",
            "shipped_at", "changelog", "created_at", "updated_at", "delivery",
        ]  # fmt: skip
        read_only_fields = fields

    def get_delivery(self, item) -> dict | None:
        """Linked work, progress and release, from config/extensions.py's providers."""
        for by_item in self.context.get("extra", ()):
            if item.pk in by_item:
                return by_item[item.pk]
        return None


class SignalSerializer(serializers.ModelSerializer):
    organization = NullableNameField()
    url = serializers.URLField(allow_blank=True, read_only=True)
    author_email = serializers.EmailField(allow_blank=True, read_only=True)

    class Meta:
        model = Signal
        fields = [
            "id", "source", "external_id", "url", "title", "body", "author", "author_email",
            "organization", "votes", "comment_count", "idea", "importance", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


API_SOURCES = [choice for choice in Signal.Source.choices if choice[0] in intake_api_sources]


# Input a tool can fix is refused when it holds control characters (see intake/text.py).
TEXT = [validate_no_control_characters]


class SignalInputSerializer(serializers.Serializer):
    """What another tool (a chat bot, a CRM) posts. (source, external_id) identifies a signal:
    posting it again updates it instead of adding a duplicate."""

    source = serializers.ChoiceField(choices=API_SOURCES, default=Signal.Source.API)
    external_id = serializers.CharField(max_length=255, validators=TEXT)
    title = serializers.CharField(max_length=300, validators=TEXT)
    body = serializers.CharField(
        max_length=20000, required=False, allow_blank=True, default="", validators=TEXT
    )
    url = serializers.URLField(
        max_length=500, required=False, allow_blank=True, default="", validators=TEXT
    )
    author = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", validators=TEXT
    )
    author_email = serializers.EmailField(
        required=False, allow_blank=True, default="", validators=TEXT
    )
    organization = serializers.CharField(
        max_length=200,
        validators=TEXT,
        required=False,
        allow_blank=True,
        default="",
        help_text="The name of a known customer organization.",
    )
    votes = serializers.IntegerField(min_value=0, required=False, default=0)
    comment_count = serializers.IntegerField(min_value=0, required=False, default=0)

    def validate_external_id(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError("An external id is required.")
        return value

    def validate_organization(self, value: str):
        value = value.strip()
        if not value:
            return None
        organization = Organization.objects.filter(name__iexact=value).first()
        if organization is None:
            raise serializers.ValidationError(
                f"No customer organization is named “{value}”; a sales rep or PM adds it first."
            )
        return organization
