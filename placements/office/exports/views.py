"""The exports pages: programme staff's (every export, every unit), the coordinator's (own unit),
and one export's page with its job's progress and the download."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jinseed.authz import can, rule_required
from jinseed.errors import DomainError

from . import selectors, services
from .forms import ExportForm
from .registry import export_kind_get, export_kinds


def _export_page(request, *, for_staff: bool, template: str, extra: dict):
    bound, error = None, None
    if request.method == "POST":
        kind = export_kind_get(request.POST.get("export_kind", ""))
        if kind is None:
            error = _("There is no such export.")
        else:
            bound = ExportForm(request.POST, kind=kind, for_staff=for_staff)
            if bound.is_valid():
                data = bound.cleaned_data
                try:
                    export = services.export_start(
                        actor=request.user,
                        kind=kind.name,
                        file_format=data["file_format"],
                        filters=bound.filters(),
                        unmasked=bool(data.get("unmasked")),
                        reason=data.get("reason") or "",
                    )
                except DomainError as exc:
                    bound.add_error(None, exc.message)
                else:
                    return redirect("office_exports:detail", pk=export.pk)
    forms = [
        bound if bound is not None and bound.kind.name == kind.name else ExportForm(kind=kind, for_staff=for_staff)
        for kind in export_kinds()
    ]
    context = {
        "forms": forms,
        "page_error": error,
        "recent": selectors.exports_recent_for_user(user=request.user),
        "can_unmask": for_staff and can("office.export_unmasked_id", request.user),
        **extra,
    }
    failed = error is not None or (bound is not None and bound.errors)
    return render(request, template, context, status=400 if failed else 200)


@rule_required("office.export_all")
@require_http_methods(["GET", "POST"])
def staff_exports(request):
    return _export_page(request, for_staff=True, template="placements/office/exports/staff.html", extra={})


@rule_required("office.export_own_unit")
@require_http_methods(["GET", "POST"])
def unit_exports(request):
    unit = request.user.coordinator.unit
    return _export_page(request, for_staff=False, template="placements/office/exports/unit.html", extra={"unit": unit})


@rule_required("accounts.use_portal")
def export_detail(request, pk: int):
    """404 for anyone but the person who asked for the export and programme staff."""
    export = selectors.export_get_for_user(user=request.user, pk=pk)
    if export is None:
        raise Http404
    kind = export_kind_get(export.kind)
    filters = export.filters
    cycle, unit = selectors.export_filter_objects(filters=filters)
    status_label = dict(kind.status_choices).get(filters.get("status"), "") if kind else ""
    back = "office_exports:staff" if can("office.export_all", request.user) else "office_exports:unit"
    return render(
        request,
        "placements/office/exports/detail.html",
        {
            "export": export,
            "kind": kind,
            "job": export.job,
            "filter_cycle": cycle,
            "filter_unit": unit,
            "filter_status": status_label,
            "back": back,
            "can_download": export.job is not None and can("jobs.download_file", request.user, export.job),
        },
    )
