"""Every URL of the portal, as every role, aimed at someone else's objects.

The URLs come from the resolver, so a new view is covered the day it is added (and this
test fails until ``TARGETS`` says which object its ids name). Each role — anonymous, a
student, a unit coordinator, a mentor, staff — GETs and POSTs every URL with the ids of the
*other* side's objects (tests/world.py). Asserted for every request: no 500; no page shows
the other student's name, mobile, email or ID number or the other unit's private text; and
no POST aimed at the other side changes a row of the main models.
"""

import io
import zipfile

import pytest
from django.apps import apps
from django.core import signing
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from placements.privacy.services.export import personal_data_link_token
from tests.world import World, build_world

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "student", "coordinator", "mentor", "staff", "plain_staff"]

#: For each URL with arguments: the arguments, naming side "b"'s objects.
TARGETS = {
    "accounts:password_reset_confirm": lambda w: {
        "uidb64": urlsafe_base64_encode(force_bytes(w.b.student.user.pk)),
        "token": "set-password",
    },
    "notifications:detail": lambda w: {"pk": w.b.notification.pk},
    "post_detail": lambda w: {"pk": w.b.draft_post.pk},
    "applicants:apply": lambda w: {"post_pk": w.b.draft_post.pk},
    "applicants:withdraw": lambda w: {"pk": w.b.application.pk},
    "applicants:resume": lambda w: {"pk": w.b.application.pk},
    "jobs:status": lambda w: {"pk": w.b.job.pk},
    # Another staff member's export with full ID numbers and mobiles.
    "jobs:file": lambda w: {"pk": w.unmasked_export_job.pk},
    "cultivation:my_placement_detail": lambda w: {"pk": w.b.placement.pk},
    "cultivation:term_switch_request": lambda w: {"pk": w.b.placement.pk},
    "cultivation:feedback_submit": lambda w: {"pk": w.b.placement.pk},
    "cultivation:activity_propose": lambda w: {"pk": w.b.placement.pk},
    "cultivation:activity_signup": lambda w: {"pk": w.b.placement.pk, "activity_pk": w.activity.pk},
    "office:activity_attendance": lambda w: {"pk": w.activity.pk},
    "cultivation:term_switch_withdraw": lambda w: {"pk": w.b.term_switch.pk},
    "cultivation:placement_detail": lambda w: {"pk": w.b.placement.pk},
    "cultivation:checklist_tick": lambda w: {"pk": w.b.placement.pk, "item_pk": w.item.pk},
    "cultivation:certificate_download": lambda w: {"pk": w.b.placement.pk},
    "cultivation:onboarding_edit": lambda w: {"pk": w.b.placement.pk},
    "cultivation:placement_status": lambda w: {"pk": w.b.placement.pk},
    "cultivation:assessment_submit": lambda w: {"pk": w.b.placement.pk},
    "cultivation:grade_confirm": lambda w: {"pk": w.b.placement.pk},
    "cultivation:term_switch_decide": lambda w: {"pk": w.b.term_switch.pk},
    "cultivation:certificate_revoke": lambda w: {"pk": w.b.certificate.pk},
    # The verification page confirms a certificate to whoever holds its code; a wrong code
    # must tell nothing.
    "cultivation:verify": lambda w: {"code": w.b.certificate.code + "X"},
    "cultivation:forum": lambda w: {"year": w.cycle.year},
    "cultivation:my_alumni_edit": lambda w: {"pk": w.b.placement.pk},
    "office:dashboard_csv": lambda w: {"table": "funnel"},
    "office:alumni_record": lambda w: {"pk": w.b.placement.pk},
    "placements:post_edit": lambda w: {"pk": w.b.post.pk},
    "placements:post_submit": lambda w: {"pk": w.b.draft_post.pk},
    "placements:post_applicants": lambda w: {"pk": w.b.post.pk},
    "placements:post_applicants_bulk": lambda w: {"pk": w.b.post.pk},
    "placements:post_ranking": lambda w: {"pk": w.b.post.pk},
    "placements:application_detail": lambda w: {"pk": w.b.application.pk},
    "placements:application_review": lambda w: {"pk": w.b.shortlisted.pk},
    "placements:application_decide": lambda w: {"pk": w.b.shortlisted.pk},
    "placements:application_offer": lambda w: {"pk": w.b.shortlisted.pk},
    "placements:application_not_selected": lambda w: {"pk": w.b.shortlisted.pk},
    "placements:slot_detail": lambda w: {"pk": w.b.slot.pk},
    "placements:slot_cancel": lambda w: {"pk": w.b.slot.pk},
    "placements:interview_detail": lambda w: {"pk": w.b.interview.pk},
    "placements:interview_record": lambda w: {"pk": w.b.interview.pk},
    "placements:interview_reschedule": lambda w: {"pk": w.b.interview.pk},
    "placements:interview_cancel": lambda w: {"pk": w.b.interview.pk},
    "placements:interview_self_book": lambda w: {"pk": w.b.slot.pk},
    "placements:interview_student_cancel": lambda w: {"pk": w.b.interview.pk},
    "placements:interview_student_move": lambda w: {"pk": w.b.interview.pk},
    "placements:offer_accept": lambda w: {"pk": w.b.offer.pk},
    "placements:offer_decline": lambda w: {"pk": w.b.offer.pk},
    "placements:selection_close": lambda w: {"pk": w.cycle.pk},
    "office_exports:detail": lambda w: {"pk": w.b.export.pk},
    # A personal data link signed for side "b"'s student: it opens for nobody else.
    "privacy:copy_download": lambda w: {
        "token": personal_data_link_token(job=w.b.copy_job, user=w.b.student.user),
    },
    # An unsubscribe link for side "b"'s student, signed with the wrong key: the signed link
    # itself is the credential (RFC 8058 one-click), so only a forged one is tried here.
    "notifications:unsubscribe": lambda w: {
        "token": signing.Signer(key="not-the-secret-key", salt="jinseed.notifications.unsubscribe").sign_object(
            {"u": w.b.student.user.pk, "k": "alumni_survey"}
        ),
    },
    "placements:allocation": lambda w: {"pk": w.cycle.pk},
    "placements:allocation_preview": lambda w: {"pk": w.cycle.pk},
    "placements:allocation_confirm": lambda w: {"pk": w.allocation.pk},
}

#: A few admin change pages (the admin is staff-only; others are sent to its login).
ADMIN_PAGES = {
    "admin:applicants_application_change": lambda w: [w.b.application.pk],
    "admin:applicants_studentprofile_change": lambda w: [w.b.student.pk],
    "admin:placements_placement_change": lambda w: [w.b.placement.pk],
    "admin:positions_post_change": lambda w: [w.b.draft_post.pk],
    "admin:accounts_user_change": lambda w: [w.b.student.user.pk],
}

#: Models whose rows a refused POST must leave exactly as they were.
WATCHED = [
    "accounts.User",
    "applicants.StudentProfile",
    "applicants.Application",
    "applicants.ApplicationEvent",
    "positions.Post",
    "positions.PostTransition",
    "placements.Review",
    "placements.ReviewScore",
    "placements.InterviewSlot",
    "placements.Interview",
    "placements.Offer",
    "placements.Placement",
    "placements.PlacementEvent",
    "placements.Onboarding",
    "placements.OnboardingTick",
    "placements.Activity",
    "placements.ActivitySignup",
    "placements.TermSwitchRequest",
    "placements.Assessment",
    "placements.FinalGrade",
    "placements.Certificate",
    "placements.Feedback",
    "placements.AlumniRecord",
    "notifications.Notification",
    "placements.Export",
    "audit.DataAccess",
    "accounts.Consent",
    "accounts.ContactVerification",
    "placements.DeletionRequest",
]


def _url_names(patterns, namespace=None, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            ns = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from _url_names(pattern.url_patterns, ns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, prefix + str(pattern.pattern), sorted(pattern.pattern.converters)


def portal_urls(world: World) -> list[str]:
    """Every named URL outside the admin, with side "b"'s ids, plus a few admin pages."""
    urls = []
    for name, route, params in _url_names(get_resolver().url_patterns):
        if route.startswith("admin/"):
            continue
        if params:
            assert name in TARGETS, f"{name} ({route}) takes {params}: say in TARGETS which object they name"
            urls.append(reverse(name, kwargs=TARGETS[name](world)))
        else:
            urls.append(reverse(name))
    urls += [reverse(name, args=args(world)) for name, args in ADMIN_PAGES.items()]
    return urls


def post_data(world: World) -> dict:
    """Plausible answers for every form of the portal, so that a POST that got past a missing
    permission check would write something."""
    b = world.b
    return {
        "decision": "reject",
        "reason_code": "other",
        "reason_text": "不合适",
        "reason": "需要调整",
        "notes": "备注",
        f"criterion_{world.criterion.pk}": "3",
        "applications": [str(b.shortlisted.pk)],
        "application": str(b.shortlisted.pk),
        "slot": str(b.slot.pk),
        "attended": "1",
        "score": "80",
        "outcome": "passed",
        "to_status": "active",
        "to_term": "long",
        "done": "1",
        "accept": "1",
        "approve": "1",
        "attendance": "4",
        "work_quality": "4",
        "initiative": "4",
        "teamwork": "4",
        "proposed_grade": "excellent",
        "grade": "excellent",
        "comments": "很好",
        "topic": "post",
        "body": "一条意见",
        "graduation_year": "2030",
        "graduation_month": "6",
        "activity": "working",
        "employer": "金山区某单位",
        "back_in_jinshan": "yes",
        "cycle": str(world.cycle.year),
        "mentor": str(b.mentor.pk),
        "starts_on": str(b.placement.starts_on),
        "ends_on": str(b.placement.ends_on),
        "report_place": "门口",
        "report_at": "2099-07-01T09:00",
        "title": "新活动",
        "statement": "我想回家乡锻炼，为金山出一份力。",
        "preference_rank": "3",
        "new_password1": "Another-Seed-2020!",
        "new_password2": "Another-Seed-2020!",
    }


def snapshot() -> dict[str, list[tuple]]:
    """Every row of the watched models (``last_login`` aside, which logging in sets)."""
    rows = {}
    for label in WATCHED:
        model = apps.get_model(label)
        names = [f.attname for f in model._meta.concrete_fields if f.attname != "last_login"]
        rows[label] = list(model.objects.order_by("pk").values_list(*names))
    return rows


def _login(client, world: World, role: str):
    a = world.a
    user = {
        "anonymous": None,
        "student": a.student.user,
        "coordinator": a.coordinator.user,
        "mentor": a.mentor.user,
        "staff": world.staff,
        "plain_staff": world.plain_staff,
    }[role]
    if user is not None:
        client.force_login(user)
    return user


def _forbidden_text(world: World, role: str) -> list[str]:
    if role == "staff":
        return []
    if role == "plain_staff":
        # Staff see names and contacts in their pages, never a full ID number without the
        # permission to unmask it.
        return [world.a.id_number, world.b.id_number]
    if role == "anonymous":
        return world.a.secrets + world.b.secrets
    return world.b.secrets


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.mark.parametrize("role", ROLES)
def test_role_url_matrix_never_fails_leaks_or_writes(client, role):
    world = build_world()
    user = _login(client, world, role)
    forbidden = _forbidden_text(world, role)
    data = post_data(world)
    problems = []
    for url in portal_urls(world):
        if url == reverse("accounts:logout"):
            continue  # would end the session the rest of the walk needs
        if url == reverse("health"):
            continue  # anonymous and personal-data free by design; 503 without a worker (tests/test_health.py)
        for method in ("get", "post"):
            before = snapshot() if method == "post" and role not in ("staff", "plain_staff") else None
            response = getattr(client, method)(url, data) if method == "post" else client.get(url)
            body = _body(response)
            if response.status_code >= 500:
                problems.append(f"{method.upper()} {url}: {response.status_code}")
            leaked = [text for text in forbidden if text in body]
            if leaked:
                problems.append(f"{method.upper()} {url}: shows {leaked}")
            if before is not None and url != reverse("set_language"):
                after = snapshot()
                changed = [label for label in WATCHED if before[label] != after[label]]
                if changed and _aimed_at_the_other_side(url):
                    problems.append(f"POST {url}: changed {changed}")
            if user is not None and "_auth_user_id" not in client.session:
                client.force_login(user)  # a view that logged the user out (none should)
    assert problems == []


def _aimed_at_the_other_side(url: str) -> bool:
    """A URL without ids acts on the user's own things (their profile, their preferences),
    where a write may be legitimate; every URL with ids names side "b"."""
    from django.urls import resolve

    return bool(resolve(url).kwargs)


def test_role_url_matrix_covers_every_url_with_arguments():
    names = {name for name, _route, params in _url_names(get_resolver().url_patterns) if params}
    portal = {name for name in names if not name.startswith("admin:")}
    assert portal - set(TARGETS) == set()
    assert set(TARGETS) - portal == set()


#: Who gets the file of someone else's job, by role: (masked export, unmasked export, data copy).
#: The exports are another staff member's; the copy is side "b"'s student's.
JOB_FILES = {
    "anonymous": (404, 404, 404),
    "student": (404, 404, 404),
    "coordinator": (404, 404, 404),
    "mentor": (404, 404, 404),
    # A superuser without the explicit permission to unmask: the masked export only.
    "staff": (200, 404, 404),
    "plain_staff": (200, 404, 404),
    "unmasking_staff": (200, 200, 404),
    # The data copy's own student, through the job download: no (the signed link only).
    "copy_owner": (404, 404, 404),
}


@pytest.mark.parametrize("role", sorted(JOB_FILES))
def test_role_job_files_go_by_need_and_permission(client, role):
    from jinseed.audit.models import DataAccess

    world = build_world()
    extra = {"unmasking_staff": world.unmasking_staff, "copy_owner": world.b.student.user}
    if role in extra:
        user = extra[role]
        client.force_login(user)
    else:
        user = _login(client, world, role)
    jobs = (world.masked_export_job, world.unmasked_export_job, world.b.copy_job)

    statuses = tuple(client.get(reverse("jobs:file", args=[job.pk])).status_code for job in jobs)

    assert statuses == JOB_FILES[role]
    downloads = DataAccess.objects.filter(kind=DataAccess.Kind.FILE_DOWNLOAD).order_by("pk")
    expected = [
        (user.pk, {"job_id": job.pk, "kind": job.kind, "started_by": job.created_by_id}, 1, job.result["masked"])
        for job, status in zip(jobs, statuses, strict=True)
        if status == 200
    ]
    assert [(d.actor_id, d.filters, d.row_count, d.masked) for d in downloads] == expected


def test_role_data_copy_goes_to_its_student_by_the_signed_link_only(client):
    from jinseed.audit.models import DataAccess

    world = build_world()
    url = reverse(
        "privacy:copy_download", args=[personal_data_link_token(job=world.b.copy_job, user=world.b.student.user)]
    )
    for user in (world.staff, world.unmasking_staff, world.a.student.user):
        client.force_login(user)
        assert client.get(url).status_code in (403, 404)
    client.force_login(world.b.student.user)

    response = client.get(url)

    assert response.status_code == 200
    assert (
        world.b.student.user.email
        in zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).read("profile.json").decode()
    )
    access = DataAccess.objects.get(kind=DataAccess.Kind.FILE_DOWNLOAD)
    assert (access.actor, access.filters["job_id"], access.masked) == (world.b.student.user, world.b.copy_job.pk, True)
