from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Intake"

    def ready(self) -> None:
        from .roles import sync_pm_permissions

        # Permissions exist only after migrate; keep the PM group's set complete as apps grow.
        post_migrate.connect(sync_pm_permissions, dispatch_uid="intake.sync_pm_permissions")
        # A migration that rebuilds a table on SQLite drops the search triggers on it.
        post_migrate.connect(
            _restore_search_triggers, sender=self, dispatch_uid="intake.search_triggers"
        )


def _restore_search_triggers(using, **kwargs) -> None:
    from django.db import connections

    from .search import restore_sqlite_triggers

    restore_sqlite_triggers(connections[using])
