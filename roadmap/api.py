"""The REST API: one public endpoint, customer endpoints for a customer's own organization,
internal endpoints for employees, and `POST /api/signals/` for other tools.

Every view names its permission; public and customer views serialize the audience selectors'
dataclasses, so an internal field cannot be added to them by accident.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.urls import path
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import generics, permissions, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from config.extensions import contributions
from intake import services as intake_services
from intake.models import Idea, Signal
from intake.roles import is_employee
from intake.selectors import ideas_with_demand
from intake.throttling import ApiThrottle, SignalPostThrottle, WritesPerAddressThrottle

from . import public_http, selectors
from .models import RoadmapItem
from .serializers import (
    CustomerIdeaSerializer,
    CustomerItemSerializer,
    InternalIdeaSerializer,
    InternalItemSerializer,
    PublicItemSerializer,
    SignalInputSerializer,
    SignalSerializer,
)
from .views import customer_account_of


class IsEmployee(permissions.BasePermission):
    message = "Employees only."

    def has_permission(self, request, view) -> bool:
        return is_employee(request.user)


class IsCustomer(permissions.BasePermission):
    message = "Customer accounts only."

    def has_permission(self, request, view) -> bool:
        return customer_account_of(request.user) is not None


def _choice_param(request, name: str, choices) -> str | None:
    value = request.query_params.get(name, "")
    if not value:
        return None
    if value not in dict(choices):
        raise ValidationError({name: f"Choose one of: {', '.join(dict(choices))}."})
    return value


def _filter_items(request, items: list) -> list:
    horizon = _choice_param(request, "horizon", RoadmapItem.Horizon.choices)
    stage = _choice_param(request, "stage", RoadmapItem.Stage.choices)
    return [
        item
        for item in items
        if (horizon is None or item.horizon == horizon) and (stage is None or item.stage == stage)
    ]


# Public -----------------------------------------------------------------------------------------


class PublicRoadmapList(generics.ListAPIView):
    """Public roadmap items in public text. Filters: `horizon`, `stage`."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    # Cached by anyone and answered conditionally: floods are for the proxy or CDN in front.
    throttle_classes = []
    serializer_class = PublicItemSerializer
    filter_backends = []

    def get_queryset(self):
        return _filter_items(self.request, selectors.public_items())

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code != 200:
            return response
        response.render()
        return public_http.not_modified_or(request, response, public_http.etag_of(response.content))


# Customer ---------------------------------------------------------------------------------------


class CustomerRoadmapList(generics.ListAPIView):
    """Your organization's roadmap in customer text. Filters: `horizon`, `stage`, `asked`."""

    permission_classes = [permissions.IsAuthenticated, IsCustomer]
    serializer_class = CustomerItemSerializer
    filter_backends = []

    def get_queryset(self):
        account = customer_account_of(self.request.user)
        items = _filter_items(self.request, selectors.customer_items(account.organization))
        asked = self.request.query_params.get("asked", "")
        if asked:
            if asked not in ("true", "false"):
                raise ValidationError({"asked": "Use true or false."})
            items = [item for item in items if item.asked == (asked == "true")]
        return items


class CustomerIdeaList(generics.ListAPIView):
    """Ideas your organization asked for: their status and the customer summary."""

    permission_classes = [permissions.IsAuthenticated, IsCustomer]
    serializer_class = CustomerIdeaSerializer
    filter_backends = []

    def get_queryset(self):
        account = customer_account_of(self.request.user)
        return selectors.customer_ideas(account.organization)


# Internal ---------------------------------------------------------------------------------------


class IdeaFilter(filters.FilterSet):
    class Meta:
        model = Idea
        fields = ["status", "pillar", "surface", "team", "pm"]


class InternalIdeaList(generics.ListAPIView):
    """Every idea with its demand. Filters: status, pillar, surface, team, pm."""

    permission_classes = [permissions.IsAuthenticated, IsEmployee]
    serializer_class = InternalIdeaSerializer
    filterset_class = IdeaFilter

    def get_queryset(self):
        return ideas_with_demand().order_by("-created_at", "-pk")


class InternalIdeaDetail(generics.RetrieveAPIView):
    permission_classes = [permissions.IsAuthenticated, IsEmployee]
    serializer_class = InternalIdeaSerializer

    def get_queryset(self):
        return ideas_with_demand()


class ItemFilter(filters.FilterSet):
    class Meta:
        model = RoadmapItem
        fields = ["visibility", "horizon", "stage", "priority", "team", "pm", "committed"]


class InternalItemList(generics.ListAPIView):
    """Every roadmap item with internal fields. Filters: visibility, horizon, stage, priority,
    team, pm, committed."""

    permission_classes = [permissions.IsAuthenticated, IsEmployee]
    serializer_class = InternalItemSerializer
    filterset_class = ItemFilter

    def get_queryset(self):
        return (
            RoadmapItem.objects.select_related("team", "pm")
            .prefetch_related("ideas")
            .order_by("priority", "title", "pk")
        )

    def get_serializer(self, *args, **kwargs):
        # Apps above roadmap (delivery) add their facts per item; employees only, as this view.
        if kwargs.get("many") and args:
            items = list(args[0])
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["extra"] = contributions("roadmap.internal_item_api", items=items)
            args = (items, *args[1:])
        return super().get_serializer(*args, **kwargs)


class SignalFilter(filters.FilterSet):
    class Meta:
        model = Signal
        fields = ["source", "idea", "organization"]


class SignalListCreate(generics.ListCreateAPIView):
    """List signals (filters: source, idea, organization), or submit one from another tool.

    POST is idempotent on (source, external_id): the first post answers 201, a repeat 200 with
    the same signal (updated if its content changed).
    """

    permission_classes = [permissions.IsAuthenticated, IsEmployee]
    filterset_class = SignalFilter
    throttle_classes = [ApiThrottle, SignalPostThrottle, WritesPerAddressThrottle]

    def get_queryset(self):
        return Signal.objects.select_related("organization").order_by("-created_at", "-pk")

    def get_serializer_class(self):
        return SignalInputSerializer if self.request.method == "POST" else SignalSerializer

    @extend_schema(
        request=SignalInputSerializer, responses={200: SignalSerializer, 201: SignalSerializer}
    )
    def post(self, request, *args, **kwargs):
        incoming = SignalInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        source, external_id = data.pop("source"), data.pop("external_id")
        try:
            signal, created = self._submit(request.user, source, external_id, data)
        except intake_services.SignalOwnedElsewhere as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        except DjangoValidationError as error:
            detail = error.message_dict if hasattr(error, "error_dict") else error.messages
            raise ValidationError(detail) from error
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(SignalSerializer(signal).data, status=code)

    @staticmethod
    def _submit(user, source, external_id, data):
        submit = intake_services.submit_api_signal
        try:
            return submit(user=user, source=source, external_id=external_id, **data)
        except IntegrityError:
            # Two posts of a new signal raced; the other one created it, so this one updates.
            return submit(user=user, source=source, external_id=external_id, **data)


class PublicSchemaView(SpectacularAPIView):
    """Anyone may read the schema, but each reader sees only the endpoints they may call:
    anonymous visitors the public roadmap, customers their own endpoints too, employees all."""

    permission_classes = [permissions.AllowAny]
    serve_public = False


urlpatterns = [
    path("public/roadmap/", PublicRoadmapList.as_view(), name="api-public-roadmap"),
    path("customer/roadmap/", CustomerRoadmapList.as_view(), name="api-customer-roadmap"),
    path("customer/ideas/", CustomerIdeaList.as_view(), name="api-customer-ideas"),
    path("ideas/", InternalIdeaList.as_view(), name="api-ideas"),
    path("ideas/<int:pk>/", InternalIdeaDetail.as_view(), name="api-idea"),
    path("roadmap/", InternalItemList.as_view(), name="api-roadmap"),
    path("signals/", SignalListCreate.as_view(), name="api-signals"),
    path("schema/", PublicSchemaView.as_view(), name="api-schema"),
]
