from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from . import duplicates, selectors, services
from .forms import IdeaSubmitForm, SalesSignalForm
from .roles import is_employee, is_sales, role_required
from .throttling import throttled


def home(request):
    context = {}
    if is_employee(request.user):
        context["counts"] = selectors.untriaged_counts()
    return render(request, "intake/home.html", context)


def _suggestions(text: str) -> list[dict]:
    return [
        {
            "id": m.idea.pk,
            "title": m.idea.title,
            "status": m.idea.get_status_display(),
            "similarity": m.similarity,
        }
        for m in duplicates.find_similar(text, limit=5)
    ]


@require_GET
@role_required(is_employee)
def similar(request):
    """Ideas that look like the title being typed; rendered by the form's script."""
    text = request.GET.get("q", "")[:500]
    return JsonResponse({"results": _suggestions(text)})


def _submit(request, *, form_class, template: str, service):
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        idea_id = data.pop("idea")
        try:
            service(user=request.user, idea_id=idea_id, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("my")
    title = form.data.get("title", "") if form.is_bound else ""
    context = {"form": form, "suggestions": _suggestions(title) if title else []}
    return render(request, template, context, status=400 if form.is_bound else 200)


@require_http_methods(["GET", "POST"])
@role_required(is_employee)
@throttled("submission")
def submit(request):
    return _submit(
        request,
        form_class=IdeaSubmitForm,
        template="intake/submit.html",
        service=services.submit_employee_idea,
    )


@require_http_methods(["GET", "POST"])
@role_required(is_sales)
@throttled("submission")
def submit_sales(request):
    return _submit(
        request,
        form_class=SalesSignalForm,
        template="intake/submit_sales.html",
        service=services.submit_sales_signal,
    )


@require_GET
@role_required(is_employee)
def my_submissions(request):
    return render(request, "intake/my.html", {"signals": selectors.submissions_of(request.user)})


def csrf_failure(request, reason=""):
    """A stale form gets a clear way forward instead of Django's technical page."""
    return render(request, "403_csrf.html", status=403)
