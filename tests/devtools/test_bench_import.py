import io

from django.core.management import call_command


def test_bench_import_prints_each_sheet_refused():
    out = io.StringIO()

    call_command("bench_import", "--cells", "400000", "--seconds", "60", "--megabytes", "1000", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].split()[:3] == ["sheet", "file", "KB"]
    assert [line[:21].strip() for line in lines[1:]] == [
        "tall, declared",
        "tall, undeclared",
        "wide, declared",
        "wide, undeclared",
    ]
    assert [line.rsplit("  ", 1)[1] for line in lines[1:]] == [
        "ok (too_many_rows)",
        "ok (too_many_rows)",
        "ok (too_many_cells)",
        "ok (too_many_cells)",
    ]
