from django.apps import AppConfig


class RoadmapConfig(AppConfig):
    name = "roadmap"

    def ready(self):
        # Cache invalidation, not domain logic: whoever writes a roadmap item (the admin, a
        # plan import, a shell), the cached public page, feed and API must not outlive it.
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from . import services
        from .models import RoadmapItem

        def changed(sender, **kwargs):
            services.invalidate_public_roadmap()

        post_save.connect(changed, sender=RoadmapItem, dispatch_uid="roadmap-public-cache-save")
        post_delete.connect(changed, sender=RoadmapItem, dispatch_uid="roadmap-public-cache-del")
        m2m_changed.connect(
            changed, sender=RoadmapItem.ideas.through, dispatch_uid="roadmap-public-cache-ideas"
        )
