"""Property-based tests (hypothesis) of the functions that read what clients send: whatever
arrives, each gives a sound value or its readable error (a KioskError, a 4xx), never any other
exception, and a refused form or batch leaves nothing behind."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import re
import uuid
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.collect.answers import parse_answer, parse_uuid
from kiosk.collect.catalog import CatalogCampaign, load_catalog
from kiosk.core.errors import KioskError
from kiosk.core.safejson import load_json
from kiosk.models import COMMAND_LINE, Device, Location, QuestionKind, Response
from kiosk.safety.moderation import MAX_SELECTION, parse_action, parse_selection, parse_state
from kiosk.safety.ratelimits import client_key, network_of
from kiosk.safety.safeguards import REPORTED_DAYS, parse_reported_refusals, voter_of
from kiosk.setup.places import PlaceForm, save_place
from kiosk.sync.ingest import ingest
from kiosk.sync.node import read_batch_file
from kiosk.web import create_app
from kiosk.web.auth import safe_next
from tests.helpers import demo, question

SOME = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
WITH_DB = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Text as clients send it: any code point but surrogates (a form cannot carry those), and
# the likely ones often: digits, signs, the fields' own words, UUID-like strings.
any_text = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=60),
    st.from_regex(r"-?[0-9]{1,25}", fullmatch=True),
    st.uuids().map(str),
    st.sampled_from(["", " ", "0", "-1", "1e9", "NaN", "approve", "pending", "\x00", "\u202e"]),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | any_text,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(any_text, inner, max_size=5),
    max_leaves=20,
)
FIELDS = ["uuid", "visit", "option", "value", "text", "question", "skip"]
forms = st.dictionaries(
    st.sampled_from(FIELDS) | any_text, st.lists(any_text, min_size=0, max_size=4), max_size=8
)


@pytest.fixture(scope="module")
def plain_app() -> Flask:
    """An app for url_for; its in-memory database is never used."""
    return create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": "x" * 32})


@pytest.fixture
def demo_campaign(session: Session) -> CatalogCampaign:
    return demo(session)[0]


def refused_readably(call: Any, *args: Any, **kwargs: Any) -> Any:
    """The call's value, or None when it raised a KioskError (anything else propagates)."""
    try:
        return call(*args, **kwargs)
    except KioskError as error:
        assert 400 <= error.status < 500 and error.message
        return None


@SOME
@given(form=forms, kind=st.sampled_from(list(QuestionKind)))
def test_any_answer_form_is_an_answer_or_a_readable_refusal(
    form: dict[str, list[str]], kind: QuestionKind, demo_campaign: CatalogCampaign
) -> None:
    # The demo's pop-up has no wheel: its first single choice, asked on a wheel, stands in.
    if kind == QuestionKind.WHEEL:
        asked = dataclasses.replace(question(demo_campaign, QuestionKind.SINGLE), kind=kind)
    else:
        asked = question(demo_campaign, kind)
    answer = refused_readably(parse_answer, asked, form, wish_max_chars=280)
    if answer is None:
        return
    assert answer.question is asked
    if kind == QuestionKind.WISH:
        assert answer.text and len(answer.text) <= 280
    else:
        assert answer.option_ids and set(answer.option_ids) <= set(asked.visible_by_id)


@SOME
@given(raw=any_text)
def test_ids_states_actions_and_links(raw: str, plain_app: Flask) -> None:
    parsed = refused_readably(parse_uuid, raw, field="uuid")
    assert parsed is None or isinstance(parsed, uuid.UUID)
    refused_readably(parse_state, raw)
    refused_readably(parse_action, raw)
    assert network_of(raw)  # never raises: "unknown" for what is not an address
    assert re.fullmatch(r"[0-9a-f]{32}", client_key("k", raw, dt.date(2026, 1, 1)))
    assert voter_of("secret", raw) is None  # nothing unsigned is taken as a phone's id
    with plain_app.test_request_context("/"):
        target = safe_next(raw)
    assert target.startswith("/") and not target.startswith(("//", "/\\"))


@SOME
@given(raw=st.lists(any_text, max_size=MAX_SELECTION + 5))
def test_a_selection_is_ids_in_range_or_refused(raw: list[str]) -> None:
    ids = refused_readably(parse_selection, raw)
    if ids is not None:
        assert ids == sorted(set(ids)) and all(1 <= i < 2**63 for i in ids)
        assert 1 <= len(ids) <= MAX_SELECTION


@SOME
@given(raw=json_values | st.dictionaries(st.dates().map(str), json_values, max_size=20))
def test_reported_refusals_keep_only_sound_days(raw: Any) -> None:
    today = dt.date(2026, 11, 21)
    kept = parse_reported_refusals(raw, today=today)
    for day, count in kept.items():
        assert today - dt.timedelta(days=REPORTED_DAYS) < day <= today + dt.timedelta(days=1)
        assert type(count) is int and 0 <= count < 2**31


@SOME
@given(raw=st.binary(max_size=200) | json_values.map(lambda v: repr(v).encode()))
def test_any_bytes_are_json_or_a_value_error(raw: bytes) -> None:
    with contextlib.suppress(ValueError):  # the one error it may raise
        load_json(raw)
    refused_readably(read_batch_file, raw)


@WITH_DB
@given(items=st.lists(json_values, max_size=6))
def test_any_batch_gets_one_verdict_per_item(session: Session, items: list[Any]) -> None:
    # As the API reads it: through load_json, which refuses what JSON cannot say (1e999 reads
    # as infinity, which PostgreSQL's json refuses: this test found that).
    try:
        items = load_json(json.dumps(items).encode())
    except ValueError:
        return
    _, square, _ = demo(session)
    device = Device(name="Fuzz", location_id=square.id)
    session.add(device)
    session.flush()
    verdicts = ingest(session, load_catalog(session), device, items, wish_max_chars=280)
    assert len(verdicts) == len(items)
    assert {v.status for v in verdicts} <= {"stored", "duplicate", "rejected", "conflict"}
    # Only items that are dicts can be stored; everything else is refused, not dropped.
    stored = sum(v.status == "stored" for v in verdicts)
    assert stored <= sum(isinstance(item, dict) for item in items)
    session.rollback()


@WITH_DB
@given(
    name=any_text,
    code=any_text | st.from_regex(r"[a-z0-9-]{1,34}", fullmatch=True),
    area=any_text | st.just("1"),
    latitude=any_text,
    longitude=any_text,
    address=any_text,
)
def test_a_place_form_saves_a_sound_place_or_nothing(
    session: Session,
    name: str,
    code: str,
    area: str,
    latitude: str,
    longitude: str,
    address: str,
) -> None:
    demo(session)
    before = session.scalar(select(func.count()).select_from(Location))
    form = PlaceForm(
        area_id=area, name=name, code=code, address=address, latitude=latitude,
        longitude=longitude,
    )  # fmt: skip
    place = refused_readably(save_place, session, None, form, actor=COMMAND_LINE)
    after = session.scalar(select(func.count()).select_from(Location))
    if place is None:
        assert after == before  # a refused form adds no row
    else:
        assert (
            after == before + 1 and place.name.strip() and re.fullmatch(r"[a-z0-9-]+", place.code)
        )
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Response)) == 0
