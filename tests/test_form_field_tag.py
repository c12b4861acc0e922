"""``{% form_field %}`` writes a field in crispy-forms' Bootstrap 5 markup without its templates."""

from html.parser import HTMLParser

from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import engines
from django.utils import translation

from applicants.forms import ApplicationForm

FIELDS = "{% form_field form.preference_rank %}{% form_field form.statement %}{% form_field form.resume %}"
CRISPY = (
    "{% load crispy_forms_tags %}"
    "{{ form.preference_rank|as_crispy_field }}{{ form.statement|as_crispy_field }}{{ form.resume|as_crispy_field }}"
)


def _render(source: str, form) -> str:
    with translation.override("en"):
        return engines["django"].from_string(source).render({"form": form})


class _Elements(HTMLParser):
    """Elements with their attributes in any order, and text, without the whitespace
    crispy's templates leave between elements."""

    def __init__(self):
        super().__init__()
        self.parts: list = []

    def handle_starttag(self, tag, attrs):
        self.parts.append((tag, sorted(attrs, key=lambda a: a[0])))

    def handle_endtag(self, tag):
        self.parts.append(("/" + tag,))

    def handle_data(self, data):
        if data.strip():
            self.parts.append(data.strip())


def _tags(html: str) -> list:
    parser = _Elements()
    parser.feed(html)
    return parser.parts


def test_form_field_unbound_matches_crispy():
    form = ApplicationForm(initial={"submit_token": "t"}, max_applications=3, taken_ranks={2})
    assert _tags(_render(FIELDS, form)) == _tags(_render(CRISPY, form))


def test_form_field_with_errors_matches_crispy():
    form = ApplicationForm(
        {"preference_rank": "9", "statement": "short <b>"},
        {"resume": SimpleUploadedFile("a.pdf", b"not a pdf")},
        max_applications=3,
    )
    assert not form.is_valid()
    html = _render(FIELDS, form)
    assert _tags(html) == _tags(_render(CRISPY, form))
    assert 'aria-describedby="id_statement_helptext id_statement_error"' in html
    assert '<div id="id_resume_error" class="invalid-feedback"><p id="error_1_id_resume"><strong>' in html
    assert "short &lt;b&gt;</textarea>" in html
