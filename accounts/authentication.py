"""`Authorization: Token <token>` against hashed, expiring tokens (knox), noting last use."""

from knox.auth import TokenAuthentication

from .services import record_use


class ApiTokenAuthentication(TokenAuthentication):
    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        record_use(token=token)
        return user, token
