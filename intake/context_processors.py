from . import roles


def role_flags(request) -> dict:
    """Lets templates show only the links a user may follow."""
    user = request.user
    return {
        "is_employee": roles.is_employee(user),
        "is_sales": roles.is_sales(user),
        "is_pm": roles.is_pm(user),
    }
