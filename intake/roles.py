"""Roles are Django auth groups; these helpers answer "may this user do X"."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

EMPLOYEE = "Employee"
SALES = "Sales"
PM = "PM"
STAFF_GROUPS = (EMPLOYEE, SALES, PM)

# Apps whose models a PM works on in the admin.
PM_APPS = ("intake", "roadmap", "connectors", "scoring", "planning", "rollout")
# Signals are never lost: nobody but a superuser deletes one.
PM_NO_DELETE = {("intake", "signal"), ("intake", "inboxsignal")}


def group_names(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def has_role(user, *roles: str) -> bool:
    """Superusers hold every role."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(group_names(user) & set(roles))


def is_employee(user) -> bool:
    """Sales reps and PMs are employees too."""
    return has_role(user, *STAFF_GROUPS)


def is_sales(user) -> bool:
    return has_role(user, SALES)


def is_pm(user) -> bool:
    return has_role(user, PM)


def role_required(check: Callable) -> Callable:
    """View decorator: login for anonymous users, 403 for the wrong role."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def sync_pm_permissions(**kwargs) -> None:
    """Give the PM group every permission on the product's models (runs after migrate)."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=PM)
    perms = Permission.objects.filter(content_type__app_label__in=PM_APPS).select_related(
        "content_type"
    )
    wanted = [
        p
        for p in perms
        if not (
            p.codename.startswith("delete_")
            and (p.content_type.app_label, p.content_type.model) in PM_NO_DELETE
        )
    ]
    group.permissions.add(*wanted)
