"""Dates on staff pages: one format per language, never ISO (issue 20, item 5).

Every staff page that answers with HTML is opened with data in it (campaigns with first and
last days, overlapping; kiosks seen and holding answers aside; wishes; paper sheets; audit
entries; people) in every language offered. Its visible text (not attributes, links or date
fields) may hold no ISO date (2026-12-07), and all the dates of one language are written one
way: German "07.12.2026", English "Dec 7, 2026" (Babel's medium date, kiosk.web.i18n).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import defaultdict
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from kiosk.collect.answers import Answer, record_answer
from kiosk.collect.catalog import load_catalog
from kiosk.collect.paper import enter_paper_tally
from kiosk.core.languages import KNOWN
from kiosk.models import (
    COMMAND_LINE,
    Campaign,
    Device,
    Drawing,
    DrawingSource,
    Location,
    QuestionKind,
    StaffUser,
)
from kiosk.setup.campaign_templates import TEMPLATES
from kiosk.sync.devices import enrol, register_device
from kiosk.sync.ingest import ingest
from kiosk.web import db
from tests.helpers import pick, question
from tests.test_hardening import _urls
from tests.test_kiosk_places import item

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
MONTHS_EN = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
MONTHS_DE = "Jan|Feb|März|Mär|Apr|Mai|Juni|Jun|Juli|Jul|Aug|Sept|Sep|Okt|Nov|Dez"
# Ways of writing a day (with its year) that could turn up; each language uses exactly one.
DATE_SHAPES = {
    "iso": ISO_DATE,
    "dd.mm.yyyy": re.compile(r"(?<![\d.])\d{2}\.\d{2}\.\d{4}(?![\d.])"),
    "other dotted": re.compile(
        r"(?<![\d.])(?!\d{2}\.\d{2}\.\d{4}(?![\d.]))\d{1,4}\.\d{1,2}\.\d{2,4}(?![\d])"
    ),
    "slashed": re.compile(r"\b\d{1,4}/\d{1,2}/\d{2,4}\b"),
    "Mon d, yyyy": re.compile(rf"\b(?:{MONTHS_EN})\.? \d{{1,2}}, \d{{4}}\b"),
    "d Mon yyyy": re.compile(rf"\b\d{{1,2}}\.? (?:{MONTHS_EN}|{MONTHS_DE})\.? \d{{4}}\b"),
}
EXPECTED_SHAPE = {"de": "dd.mm.yyyy", "de-x-ls": "dd.mm.yyyy", "en": "Mon d, yyyy"}
SKIPPED_TAGS = {"script", "style", "template"}
DOWNLOADS = (".csv", ".json", ".png", ".pdf", ".xlsx", ".svg")  # not pages: not opened here


class VisibleText(HTMLParser):
    """The text a person reads on a page: no tags, attributes, scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, _attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self._skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def test_visible_text_leaves_attributes_and_date_fields_out() -> None:
    page = (
        '<p title="2026-12-07">Ab 07.12.2026</p><input type="date" value="2026-12-07">'
        '<a href="/x?from=2026-12-07">bis 20.12.2026</a><script>"2026-01-01"</script>'
    )
    assert visible_text(page) == "Ab 07.12.2026 bis 20.12.2026"
    assert not ISO_DATE.search(visible_text(page))
    assert ISO_DATE.search(visible_text("<p>bis 2026-12-20</p>"))  # what the list showed


def shapes_in(text: str) -> dict[str, set[str]]:
    """The dates in a text, by the shape each is written in."""
    found: dict[str, set[str]] = defaultdict(set)
    for shape, pattern in DATE_SHAPES.items():
        for match in pattern.finditer(text):
            found[shape].add(match.group())
    return found


def test_the_shapes_tell_the_mixed_list_apart() -> None:
    mixed = shapes_in("ab 07.12.2026 00:00 bis 2026-12-20 · Dec 7, 2026 · 7.12.26 · 12/7/26")
    assert set(mixed) == {"dd.mm.yyyy", "iso", "Mon d, yyyy", "other dotted", "slashed"}
    assert set(shapes_in("07.12.2026, 09:05 – 20.12.2026")) == {"dd.mm.yyyy"}
    assert set(shapes_in("from Dec 7, 2026 until Dec 20, 2026")) == {"Mon d, yyyy"}
    assert set(shapes_in("07 Dec 2026, 09:05")) == {"d Mon yyyy"}
    assert not shapes_in("Version 1.2 · 3 von 12 Antworten · 10:00–14:00 Uhr · 0.5")


@pytest.fixture
def busy(app: Flask) -> dict[str, object]:
    """The demo with what staff pages show dates of: campaigns with first and last days (two
    overlapping at the square), answers and wishes, a kiosk seen and holding an answer aside,
    a paper sheet, audit entries and people."""
    with app.app_context():
        session = db.session()
        werkstadt = session.scalars(select(Campaign)).one()
        werkstadt.ends_at = dt.datetime(2026, 12, 20, 23, tzinfo=dt.UTC)
        square, playground = sorted(werkstadt.locations, key=lambda place: place.code != "ehp")
        climate = Campaign(
            title="Klimastation 1",
            starts_at=dt.datetime(2026, 12, 6, 23, tzinfo=dt.UTC),
            ends_at=dt.datetime(2026, 12, 31, 23, tzinfo=dt.UTC),
            locations=[square],
            questions=TEMPLATES["climate-walk"].build_questions("Jena Nord"),
        )
        session.add(climate)
        session.commit()
        catalog = load_catalog(session)
        snapshot = catalog.campaigns[werkstadt.id]
        single, wish = question(snapshot, QuestionKind.SINGLE), question(snapshot, "wish")
        for channel, text in (("kiosk", "Mehr Schatten am Platz"), ("qr", "Ein Trinkbrunnen")):
            record_answer(session, pick(single, 0), campaign=snapshot, location_id=playground.id,
                          channel=channel)  # fmt: skip
            said = Answer(uuid.uuid4(), None, wish, text=text)
            record_answer(session, said, campaign=snapshot, location_id=playground.id,
                          channel=channel)  # fmt: skip
        device, code = register_device(
            session, name="Pi am Spielplatz", location_id=playground.id, actor=COMMAND_LINE
        )
        enrol(session, code)
        device.last_seen_at = dt.datetime(2026, 12, 5, 9, 30, tzinfo=dt.UTC)
        aside = item(single.id, square.code, option_ids=[single.options[0].id])
        ingest(session, catalog, device, [aside], wish_max_chars=280)
        sheet = enter_paper_tally(session, location_id=playground.id, question_id=single.id,
                                  counts={str(single.options[0].id): "3"}, answers="3",
                                  note="Bogen vom Fest", actor=COMMAND_LINE)  # fmt: skip
        drawing = Drawing(
            uuid=uuid.uuid4(), campaign_id=werkstadt.id, location_id=playground.id, number=1,
            media_key="0" * 64 + ".jpg", width=10, height=10, source=DrawingSource.PAPER,
            received_at=dt.datetime(2026, 12, 5, 14, 5, tzinfo=dt.UTC),
        )  # fmt: skip
        session.add(drawing)
        session.commit()
        return {
            "drawing_id": drawing.id,
            "code": "en", "step": 0, "scope_id": playground.id, "location_id": playground.id,
            "device_id": device.id, "area_id": playground.area_id, "sheet_id": sheet.id,
            "campaign_id": werkstadt.id, "question_id": single.id, "filename": "app.css",
            "user_id": session.scalars(select(StaffUser.id)).first(),
            "kinds": {"location": playground.id, "area": playground.area_id,
                      "campaign": werkstadt.id},
        }  # fmt: skip


def staff_pages(app: Flask, client: FlaskClient, samples: dict[str, object]) -> dict[str, str]:
    """Every staff page (GET, HTML) with the busy data: its URL and its visible text."""
    pages = {}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("staff.") or "GET" not in (rule.methods or ()):
            continue
        for kind, scope_id in samples["kinds"].items():  # type: ignore[attr-defined]
            for url in _urls(app, rule, samples | {"scope_id": scope_id}):
                if url.endswith(DOWNLOADS) or (
                    "scope_id" in rule.arguments and "/staff/" + kind not in url
                ):
                    continue
                answer = client.get(url)
                assert answer.status_code < 500, url
                if answer.status_code == 200 and answer.mimetype == "text/html":
                    pages[url] = visible_text(answer.text)
    return pages


@pytest.mark.parametrize("language", sorted(KNOWN))
def test_every_staff_page_writes_its_dates_one_way_and_never_as_iso(
    app: Flask, staff_client: FlaskClient, busy: dict[str, object], language: str
) -> None:
    staff_client.get(f"/staff/?lang={language}")
    found: dict[str, set[str]] = defaultdict(set)  # shape -> the dates written in it, and where
    pages = staff_pages(app, staff_client, busy)
    assert len(pages) > 20  # every staff page there is
    for url, text in pages.items():
        iso = ISO_DATE.findall(text)
        assert not iso, f"{language} {url}: ISO dates {iso}"
        for shape, dates in shapes_in(text).items():
            found[shape] |= {f"{date} ({url})" for date in dates}
    expected = EXPECTED_SHAPE.get(language)
    if expected is not None:
        assert expected in found, f"{language}: no date seen at all"
        others = {shape: sorted(dates)[:3] for shape, dates in found.items() if shape != expected}
        assert not others, f"{language}: dates written otherwise than {expected}: {others}"


def test_the_campaign_list_writes_first_and_last_day_alike(
    app: Flask, staff_client: FlaskClient, busy: dict[str, object]
) -> None:
    text = visible_text(staff_client.get("/staff/setup/campaigns").text)
    assert "ab 07.12.2026 bis 31.12.2026" in text  # was "ab 07.12.2026 00:00 bis 2026-12-31"
    assert "ab 27.09.2025 bis 20.12.2026" in text
    english = visible_text(staff_client.get("/staff/setup/campaigns?lang=en").text)
    assert "from Dec 7, 2026 until Dec 31, 2026" in english


def test_a_moment_is_its_day_with_hour_and_minute(
    app: Flask, staff_client: FlaskClient, busy: dict[str, object]
) -> None:
    kiosks = visible_text(staff_client.get("/staff/kiosks/").text)
    assert "05.12.2026, 10:30" in kiosks  # last seen: 09:30 UTC is 10:30 in Jena
    english = visible_text(staff_client.get("/staff/kiosks/?lang=en").text)
    assert "Dec 5, 2026, 10:30" in english
    with app.app_context():
        assert db.session().scalars(select(Device)).one().last_seen_at is not None
        assert db.session().scalars(select(Location)).first() is not None
