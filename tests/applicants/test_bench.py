import io

import pytest
from django.core.management import call_command

from applicants.models import Application
from positions.models import Cycle

pytestmark = pytest.mark.django_db


def test_bench_queries_passes_and_leaves_no_rows():
    out = io.StringIO()
    call_command("bench_queries", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["page", "1", "200", "verdict"]
    assert {line.rsplit(maxsplit=3)[0].strip() for line in lines[1:]} >= {"Post list", "Post detail", "My applications"}
    assert all(line.endswith("ok") for line in lines[1:])
    assert Cycle.objects.count() == 0
    assert Application.objects.count() == 0
