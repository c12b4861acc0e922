"""One preview confirmed by several requests at once, on real PostgreSQL connections."""

import threading

import pytest
from django.db import connection, connections

from positions.imports.services import PostImportError, post_import_stage, post_import_start
from positions.models import PostImport
from tests.factories import HostUnitFactory, StaffFactory
from tests.positions.sheets import post_row, workbook_bytes

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to test")


def test_concurrent_confirms_of_one_preview_make_one_import(cycle):
    HostUnitFactory(name="朱泾镇人民政府")
    staff = StaffFactory()
    _preview, token = post_import_stage(
        data=workbook_bytes([post_row("朱泾镇人民政府", "社区助理")]),
        file_name="岗位.xlsx",
        cycle=cycle,
        target_status="draft",
    )
    barrier = threading.Barrier(4)
    outcomes = []

    def confirm():
        try:
            barrier.wait()
            outcomes.append(post_import_start(token=token, actor=staff).pk)
        except PostImportError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert PostImport.objects.count() == 1
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["already_confirmed"] * 3
    assert [o for o in outcomes if isinstance(o, int)] == [PostImport.objects.get().pk]
