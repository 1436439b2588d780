"""`POST /api/client-versions/`: the platform reports active devices per client version."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from intake.roles import is_pm

from . import services


class IsPM(permissions.BasePermission):
    message = "PMs only (use a PM's or a service user's API token)."

    def has_permission(self, request, view) -> bool:
        return is_pm(request.user)


class ClientVersionSerializer(serializers.Serializer):
    version = serializers.CharField(max_length=50)
    devices = serializers.IntegerField(min_value=0)


class ClientVersions(APIView):
    """Replace the client adoption snapshot: a list of `{version, devices}`."""

    permission_classes = [IsPM]

    @extend_schema(request=ClientVersionSerializer(many=True), responses={200: dict})
    def post(self, request):
        rows = ClientVersionSerializer(data=request.data, many=True)
        rows.is_valid(raise_exception=True)
        try:
            count = services.replace_client_versions(rows=[dict(r) for r in rows.validated_data])
        except DjangoValidationError as error:
            raise ValidationError({"detail": error.messages}) from None
        return Response({"versions": count})
