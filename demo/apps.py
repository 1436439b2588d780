from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo company, loaded by `manage.py load_demo`. The top floor: it may import every
    app to load their demo data; nothing imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
    verbose_name = "Demo"
