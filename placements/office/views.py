"""The programme office's pages: the statistics dashboard (with its CSV downloads) and the
alumni list, where staff send the alumni survey and record answers learnt by other means.

Programme staff only (``office.view_dashboard``, ``cultivation.manage_alumni``). The dashboard
runs a fixed number of aggregate queries whatever the data size (``selectors``); its tables
are built once (``tables``) for the page, the charts and the downloads alike.
"""

from defusedcsv import csv
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jinseed.authz import rule_required
from jinseed.errors import DomainError
from placements.cultivation import selectors as cultivation_selectors
from placements.cultivation import services as cultivation
from placements.cultivation.forms import AlumniRecordForm
from placements.office.filters import AlumniFilter
from placements.office.selectors import dashboard_figures, dashboard_figures_refresh
from placements.office.tables import FUNNEL_LABELS, dashboard_tables, growth_text
from positions.selectors import cycle_by_year, cycles_newest_first


def _year(request) -> int | None:
    value = (request.POST if request.method == "POST" else request.GET).get("cycle", "")
    return int(value) if value.isdigit() and len(value) == 4 else None


@rule_required("office.view_dashboard")
def dashboard(request):
    data = dashboard_figures(_year(request))
    context = {"data": data, "funnel_labels": FUNNEL_LABELS}
    if data is not None:
        context["tables"] = dashboard_tables(data)
        context["growth"] = growth_text(data["cycle"]["growth"])
    return render(request, "placements/office/dashboard.html", context)


@require_POST
@rule_required("office.view_dashboard")
def dashboard_refresh(request):
    """Compute the figures again from the data as it is now (they are otherwise kept a while)."""
    dashboard_figures_refresh()
    year = _year(request)
    url = reverse("office:dashboard")
    return redirect(f"{url}?cycle={year}" if year else url)


@rule_required("office.view_dashboard")
def dashboard_csv(request, table: str):
    """One of the dashboard's tables as CSV (UTF-8 with a BOM, so that Excel reads the Chinese)."""
    data = dashboard_figures(_year(request))
    found = next((t for t in dashboard_tables(data) if t.key == table), None) if data else None
    if found is None or data is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="jinseed-{data["cycle"]["year"]}-{table}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([str(c) for c in found.columns])
    writer.writerows(found.rows)
    return response


@rule_required("cultivation.manage_alumni")
def alumni_list(request):
    """Completed students with their alumni answers, filtered; 50 a page."""
    filterset = AlumniFilter(request.GET or None, queryset=cultivation_selectors.completed_placements())
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    placements = list(page.object_list)
    records = cultivation_selectors.alumni_records_for(placements=placements)
    rows = [(p, records.get((p.student_id, p.post.cycle_id))) for p in placements]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "cycles": cycles_newest_first(),
    }
    return render(request, "placements/office/alumni_list.html", context)


@rule_required("cultivation.manage_alumni")
@require_POST
def alumni_survey(request):
    """Send the alumni survey of the chosen cycle to its completed students (once each)."""
    year = request.POST.get("cycle", "")
    cycle = cycle_by_year(year=int(year)) if year.isdigit() and len(year) == 4 else None
    if cycle is None:
        raise Http404
    try:
        queued = cultivation.alumni_survey_send(cycle=cycle, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _(
                "The alumni survey of %(cycle)s was queued for %(n)d students "
                "(students sent it before are not sent it again)."
            )
            % {"cycle": cycle.title, "n": queued},
        )
    return redirect("office:alumni_list")


@rule_required("cultivation.manage_alumni")
def alumni_record(request, pk: int):
    """Staff record (or correct) a completed student's answer; it is marked staff-recorded."""
    placement = get_object_or_404(cultivation_selectors.completed_placements(), pk=pk)
    record = cultivation_selectors.alumni_record_of(placement=placement)
    status = 200
    if request.method == "POST":
        form = AlumniRecordForm(request.POST, instance=record)
        if form.is_valid():
            try:
                cultivation.alumni_record_by_staff(placement=placement, actor=request.user, data=form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The answer was recorded, marked as recorded by staff."))
                return redirect("office:alumni_list")
        status = 400
    else:
        form = AlumniRecordForm(instance=record)
    context = {"placement": placement, "record": record, "form": form}
    return render(request, "placements/office/alumni_record.html", context, status=status)


# --- groups and attendance: what staff did from the command line and row by row in the admin ---------


def _cycle_asked(request):
    """The cycle of ``?cycle=<year>``, else the current one (404 when there is none)."""
    from positions.selectors import cycle_current

    year = _year(request)
    cycle = cycle_by_year(year=year) if year else cycle_current()
    if cycle is None:
        raise Http404
    return cycle


@rule_required("cultivation.manage_cycle_cultivation")
def groups(request):
    """The cycle's groups with their sizes, and the placed students still without a group:
    form the groups, place the newcomers, or (after asking) form them again."""
    cycle = _cycle_asked(request)
    here = f"{request.path}?cycle={cycle.year}"
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "form":
                made = cultivation.groups_form(cycle=cycle, actor=request.user, replace=False)
                messages.success(request, _("%(n)s groups formed.") % {"n": len(made)})
            elif action == "place":
                placed = cultivation.groups_place_unassigned(cycle=cycle, actor=request.user)
                messages.success(request, _("%(n)s students placed in a group.") % {"n": placed})
            elif action == "reform" and request.POST.get("confirm") == "yes":
                made = cultivation.groups_form(cycle=cycle, actor=request.user, replace=True)
                messages.success(request, _("The groups were formed again: %(n)s groups.") % {"n": len(made)})
            else:
                return redirect(f"{here}&reform=1" if action == "reform" else here)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(here)
    context = cultivation_selectors.cycle_groups_overview(cycle=cycle)
    context.update({"cycle": cycle, "cycles": cycles_newest_first(), "asking_reform": request.GET.get("reform") == "1"})
    return render(request, "placements/office/groups.html", context)


@rule_required("cultivation.manage_cycle_cultivation")
def activities(request):
    """The cycle's activities with their sign-ups and attendance, each one's register a click away."""
    cycle = _cycle_asked(request)
    rows = cultivation_selectors.cycle_activities_attendance(cycle=cycle)
    return render(
        request,
        "placements/office/activities.html",
        {"cycle": cycle, "cycles": cycles_newest_first(), "activities": rows},
    )


@rule_required("cultivation.manage_cycle_cultivation")
def activity_attendance(request, pk: int):
    """Who came to an activity, ticked in one form for all its sign-ups."""
    activity = get_object_or_404(cultivation_selectors.activities_with_signups(), pk=pk)
    signups = list(activity.signups.all())
    if request.method == "POST":
        chosen = {int(v) for v in request.POST.getlist("attended") if v.isdigit()}
        try:
            came = cultivation.activity_attendance_record(
                activity=activity, actor=request.user, attended_placement_ids=chosen
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Attendance saved: %(came)s of %(all)s came.") % {"came": came, "all": len(signups)}
            )
            return redirect(f"{reverse('office:activities')}?cycle={activity.cycle.year}")
    return render(request, "placements/office/activity_attendance.html", {"activity": activity, "signups": signups})
