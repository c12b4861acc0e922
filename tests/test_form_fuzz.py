"""Random input in every form of the portal never answers 500.

The forms are found, not listed: each role's pages are fetched and every ``<form>`` on
them (its action, method and fields, with the options of selects, radios and checkboxes)
is fuzzed with Hypothesis — real options, empty values, text, ids far beyond the 64-bit
range, lists where one value is expected, stray fields and junk files — as that role.
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.world import World, build_world

pytestmark = pytest.mark.django_db

EXAMPLES_PER_FORM = 15
#: Forms left out: logging out would end the role's session for the rest of the run.
SKIPPED_ACTIONS = {"accounts:logout"}


class _FormParser(HTMLParser):
    """Collects ``{"action", "method", "fields": {name: {"type", "options"}}}`` per form."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.forms: list[dict] = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {
                "action": attrs.get("action") or self.page_url,
                "method": (attrs.get("method") or "get").lower(),
                "fields": {},
            }
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = attrs.get("name")
        if tag in {"input", "textarea", "button"} and name:
            kind = attrs.get("type", "text") if tag == "input" else tag
            field = self._form["fields"].setdefault(name, {"type": kind, "options": []})
            if attrs.get("value") is not None:
                field["options"].append(attrs["value"])
        elif tag == "select" and name:
            self._select = self._form["fields"].setdefault(name, {"type": "select", "options": []})
        elif tag == "option" and self._select is not None and attrs.get("value") is not None:
            self._select["options"].append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _start_pages(world: World, role: str) -> list[str]:
    a = world.a
    public = [reverse("home"), reverse("post_list"), reverse("cultivation:verify_form")]
    pages = {
        "anonymous": [
            *public,
            reverse("accounts:login"),
            reverse("accounts:register"),
            reverse("accounts:password_reset"),
        ],
        "student": [
            *public,
            reverse("applicants:profile_edit"),
            reverse("applicants:my_applications"),
            reverse("applicants:apply", args=[world.b.post.pk]),
            reverse("placements:my_selection"),
            reverse("cultivation:my_placement_detail", args=[a.placement.pk]),
            reverse("notifications:inbox"),
            reverse("notifications:preferences"),
        ],
        "coordinator": [
            reverse("placements:workspace"),
            reverse("placements:post_create"),
            reverse("placements:post_edit", args=[a.draft_post.pk]),
            reverse("placements:post_applicants", args=[a.post.pk]),
            reverse("placements:post_applicants", args=[a.shortlisted.post.pk]),
            reverse("placements:post_ranking", args=[a.shortlisted.post.pk]),
            reverse("placements:application_detail", args=[a.shortlisted.pk]),
            reverse("placements:application_detail", args=[a.application.pk]),
            reverse("placements:slot_list"),
            reverse("placements:slot_detail", args=[a.slot.pk]),
            reverse("placements:interview_detail", args=[a.interview.pk]),
            reverse("cultivation:placement_detail", args=[a.placement.pk]),
        ],
        "mentor": [
            reverse("cultivation:placement_list"),
            reverse("cultivation:placement_detail", args=[a.placement.pk]),
        ],
        "staff": [
            reverse("placements:overview"),
            reverse("cultivation:placement_detail", args=[a.placement.pk]),
        ],
    }
    return pages[role]


def discover_forms(client, world: World, role: str) -> list[dict]:
    """Every distinct form on the role's pages (one per view and method)."""
    seen, forms = set(), []
    for page in _start_pages(world, role):
        response = client.get(page)
        assert response.status_code == 200, page
        parser = _FormParser(page)
        parser.feed(response.content.decode())
        for form in parser.forms:
            path = urlsplit(form["action"]).path or page
            match = resolve(path)
            if match.view_name in SKIPPED_ACTIONS:
                continue
            key = (match.view_name, form["method"], tuple(sorted(form["fields"])))
            if key not in seen:
                seen.add(key)
                forms.append({**form, "action": path})
    return forms


_junk = st.one_of(
    st.just(""),
    st.text(max_size=40),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.sampled_from(["9" * 20, "-" + "9" * 20, str(2**63), "0", "-1", "1e9", "null", "٣", "2099-13-45", "x" * 3000]),
)


def _value(field: dict):
    options = [o for o in field["options"] if o is not None]
    if field["type"] == "file":
        return st.binary(max_size=300).map(
            lambda content: SimpleUploadedFile("f.pdf", b"%PDF-1.4\n" + content, content_type="application/pdf")
        )
    single = st.one_of(st.sampled_from(options), _junk) if options else _junk
    return st.one_of(single, st.lists(single, min_size=2, max_size=3))


def _payload(form: dict):
    fields = {name: st.one_of(st.none(), _value(field)) for name, field in form["fields"].items()}
    extra = st.dictionaries(st.sampled_from(["id", "pk", "applications", "interviewers", "next", "page"]), _junk)
    return st.tuples(st.fixed_dictionaries(fields), extra).map(
        lambda pair: {k: v for k, v in {**pair[1], **pair[0]}.items() if v is not None}
    )


@pytest.mark.parametrize("role", ["anonymous", "student", "coordinator", "mentor", "staff"])
def test_form_fuzz_random_input_never_answers_500(client, role):
    world = build_world()
    user = {
        "anonymous": None,
        "student": world.a.student.user,
        "coordinator": world.a.coordinator.user,
        "mentor": world.a.mentor.user,
        "staff": world.staff,
    }[role]
    if user is not None:
        client.force_login(user)
    forms = discover_forms(client, world, role)
    assert forms, role

    for form in forms:
        _fuzz(client, user, form)


def _fuzz(client, user, form: dict) -> None:
    @settings(
        max_examples=EXAMPLES_PER_FORM,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=_payload(form))
    def submit(data):
        if form["method"] == "post":
            response = client.post(form["action"], data)
        else:
            query = {k: v for k, v in data.items() if not isinstance(v, SimpleUploadedFile)}
            response = client.get(form["action"], query)
        assert response.status_code < 500, (form["action"], data)
        if user is not None and "_auth_user_id" not in client.session:
            client.force_login(user)

    submit()
