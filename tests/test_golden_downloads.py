"""The staff downloads are what they were before the restructuring, on SQLite and PostgreSQL.

The golden files in tests/golden/files were made by the code before it (91ebbd3) with
tests/golden/make_golden.py: the demo with a fixed seed and clock, downloaded as staff.
Here the same script makes the same downloads from the code under test. CSV and JSON must
match byte for byte; a workbook cell by cell (see _workbook for what that leaves out).
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
from collections.abc import Iterator
from itertools import zip_longest
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from kiosk.collect.answers import record_answer
from kiosk.models import QuestionKind
from kiosk.results.exports import raw_rows
from kiosk.results.tallies import load_scope
from tests.conftest import fresh_postgres_database
from tests.golden.make_golden import CLI_EXPORTS, DOWNLOADS, Download, fetch_downloads, read_golden
from tests.helpers import demo, pick, question

GOLDEN = read_golden(Path(__file__).parent / "golden" / "files")
NAMES = [name for name, *_ in DOWNLOADS + CLI_EXPORTS]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def downloads(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Download]]:
    """Every download, from the demo loaded into a new database of each kind."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("golden") / "golden.sqlite3"
        yield fetch_downloads(f"sqlite:///{path}")
    else:
        with fresh_postgres_database("kiosk_golden") as url:
            yield fetch_downloads(url)


def test_the_golden_files_cover_every_download() -> None:
    assert sorted(GOLDEN) == sorted(NAMES)


def _workbook(body: bytes) -> dict[str, list[list[tuple[Any, str, bool]]]]:
    """Each sheet's cells as (value, number format, bold), by sheet name in sheet order.

    Left out, as they differ from one download to the next: the zip entries' dates and the
    workbook's created and modified times (docProps/core.xml), which openpyxl sets to the
    time of saving. Nothing else in the files differs.
    """
    book = load_workbook(io.BytesIO(body))
    return {
        sheet.title: [
            [(cell.value, cell.number_format, bool(cell.font.b)) for cell in row]
            for row in sheet.iter_rows()
        ]
        for sheet in book.worksheets
    }


def _diff(found: bytes, golden: bytes) -> str:
    """Where two text files differ, for the failure message."""
    lines = difflib.unified_diff(
        golden.decode("utf-8", "replace").splitlines(),
        found.decode("utf-8", "replace").splitlines(),
        "golden",
        "now",
        lineterm="",
        n=1,
    )
    return "\n".join(list(lines)[:40])


@pytest.mark.parametrize("name", NAMES)
def test_a_download_is_as_it_was(downloads: dict[str, Download], name: str) -> None:
    found, golden = downloads[name], GOLDEN[name]
    assert found.manifest_entry() == golden.manifest_entry()  # URL, status, type, file name
    if name.endswith(".xlsx"):
        now, was = _workbook(found.body), _workbook(golden.body)
        assert list(now) == list(was)  # the sheets' names, in order
        for title, rows in was.items():
            for number, (row, golden_row) in enumerate(zip_longest(now[title], rows), 1):
                assert row == golden_row, f"sheet {title!r}, row {number}"
    else:
        assert found.body == golden.body, _diff(found.body, golden.body)


def test_a_time_on_the_whole_second_reads_the_same_on_both_databases(session: Session) -> None:
    """A device's clock (client_at, over the API) may well send whole seconds: both databases
    write them with six decimals (PostgreSQL's datetime once lost the zero fraction)."""
    campaign, square, _ = demo(session)
    at = dt.datetime(2025, 9, 27, 8, 30, tzinfo=dt.UTC)
    single = question(campaign, QuestionKind.SINGLE)
    record_answer(
        session, pick(single, 0), campaign=campaign, location_id=square.id, channel="qr", now=at
    )
    session.commit()
    (row,) = raw_rows(session, load_scope(session, "location", square.id))
    assert row[1] == "2025-09-27T08:30:00.000000+00:00"  # received_at
