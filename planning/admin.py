"""Plan imports in the admin: upload, preview, confirm; export a quarter; the import records."""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html

from intake.admin_hardening import HardenedAdminMixin
from roadmap.models import RoadmapItem

from . import selectors, services
from .actions import export_plan_csv, plan_csv_response
from .forms import PlanExportForm, PlanUploadForm
from .models import PlanImport

IMPORT_PERMISSIONS = ("roadmap.add_roadmapitem", "roadmap.change_roadmapitem")


@admin.register(PlanImport)
class PlanImportAdmin(HardenedAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at", "filename", "status", "created", "updated", "unchanged", "skipped",
        "uploaded_by",
    ]  # fmt: skip
    list_filter = ["status"]
    list_select_related = ["uploaded_by"]
    search_fields = ["filename"]
    fields = [
        "filename", "quarter", "skip_invalid", "status", "created", "updated", "unchanged",
        "skipped", "uploaded_by", "created_at", "applied_at", "report_text",
    ]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False  # through "Import a plan", which previews first

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="report")
    def report_text(self, obj: PlanImport) -> str:
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', obj.report)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.upload_view), name="planning_planimport_upload"),
            path("<int:pk>/confirm/", wrap(self.confirm_view), name="planning_planimport_confirm"),
            path("export/", wrap(self.export_view), name="planning_planimport_export"),
            *super().get_urls(),
        ]

    def _context(self, request, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "max_mb": settings.PLANNING_MAX_IMPORT_BYTES / 1_000_000,
            **extra,
        }

    def _check_import_permission(self, request) -> None:
        if not request.user.has_perms(IMPORT_PERMISSIONS):
            raise PermissionDenied

    def upload_view(self, request):
        """Upload a plan file and see what importing it would do, before anything is saved."""
        self._check_import_permission(request)
        form = PlanUploadForm(request.POST or None, request.FILES or None)
        report = None
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                upload = form.cleaned_data["file"]
                limit = settings.PLANNING_MAX_IMPORT_BYTES
                if upload.size > limit:
                    form.add_error("file", f"The file is larger than {limit / 1_000_000:g} MB.")
                else:
                    report, plan_import = services.preview_upload(
                        data=upload.read(),
                        filename=upload.name,
                        quarter=form.cleaned_data["quarter"],
                        skip_invalid=form.cleaned_data["skip_invalid"],
                        user=request.user,
                    )
                    if plan_import is not None:
                        context = self._context(
                            request, title="Preview the import", report=report,
                            plan_import=plan_import,
                        )  # fmt: skip
                        return render(request, "admin/planning/plan_preview.html", context)
        context = self._context(request, title="Import a plan", form=form, report=report)
        return render(request, "admin/planning/plan_upload.html", context, status=status)

    def confirm_view(self, request, pk: int):
        """Import a previewed file; the same checks run again against today's roadmap."""
        self._check_import_permission(request)
        if request.method != "POST":
            return redirect("admin:planning_planimport_upload")
        plan_import = get_object_or_404(PlanImport, pk=pk, uploaded_by=request.user)
        if plan_import.status == PlanImport.Status.APPLIED:  # a second click on "Import"
            return redirect(reverse("admin:planning_planimport_change", args=[plan_import.pk]))
        report = services.confirm_upload(plan_import=plan_import, user=request.user)
        if report.applied:
            level = messages.WARNING if report.errors else messages.SUCCESS
            self.message_user(request, report.summary(), level)
            return redirect(reverse("admin:planning_planimport_change", args=[plan_import.pk]))
        form = PlanUploadForm()
        context = self._context(request, title="Import a plan", form=form, report=report)
        return render(request, "admin/planning/plan_upload.html", context, status=409)

    def export_view(self, request):
        """Download one quarter (or every quarter) as a plan CSV."""
        if not request.user.has_perm("roadmap.view_roadmapitem"):
            raise PermissionDenied
        form = PlanExportForm(request.GET or None, quarters=selectors.quarters())
        if request.GET and form.is_valid():
            quarter = form.cleaned_data["quarter"]
            return plan_csv_response(services.export_queryset(quarter=quarter), quarter=quarter)
        context = self._context(request, title="Export a plan", form=form)
        return render(
            request, "admin/planning/plan_export.html", context, status=400 if request.GET else 200
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import": request.user.has_perms(IMPORT_PERMISSIONS),
            "can_export": request.user.has_perm("roadmap.view_roadmapitem"),
        }
        return super().changelist_view(request, extra_context)


# Roadmap items are the roadmap's; exporting them as a plan is planning's, so planning extends
# the registered roadmap item admin (the roadmap never imports planning).
_RoadmapItemAdmin = type(admin.site.get_model_admin(RoadmapItem))


class RoadmapItemAdmin(_RoadmapItemAdmin):
    actions = [*_RoadmapItemAdmin.actions, export_plan_csv]


admin.site.unregister(RoadmapItem)
admin.site.register(RoadmapItem, RoadmapItemAdmin)
