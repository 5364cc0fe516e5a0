"""Cross-tabs: what each group of the demographic question chose, in the page and downloads."""

from __future__ import annotations

import io
import random
import threading
import time
import uuid
from collections import Counter, defaultdict

import pytest
from alembic import command as alembic_command
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.access.reach import EVERYWHERE
from kiosk.cli import alembic_config
from kiosk.collect.answers import Answer, record_answer
from kiosk.collect.catalog import CatalogCampaign, CatalogQuestion, load_catalog
from kiosk.models import (
    COMMAND_LINE,
    Campaign,
    CrossCount,
    Question,
    QuestionKind,
    Response,
    ResponseOption,
)
from kiosk.models.counters import recount_cross
from kiosk.models.engine import make_engine
from kiosk.results.crosstab import CrossTab, cross_tabs
from kiosk.results.tallies import load_scope
from kiosk.setup.demo import load_demo
from kiosk.setup.questions import QuestionForm, save_question
from kiosk.sync.devices import assign_places, enrol, register_device
from kiosk.sync.ingest import ingest
from kiosk.web import db
from tests.conftest import fresh_postgres_database
from tests.helpers import demo, pick, question, todays_code_on
from tests.test_questions import rows_of

UNDER_12, TEENS, ADULTS, OLDER = range(4)


def _age(campaign: CatalogCampaign) -> CatalogQuestion:
    return question(campaign, QuestionKind.SINGLE, 1)


def _visit(
    session: Session,
    campaign: CatalogCampaign,
    location_id: int,
    *,
    age: int | None,
    matters: tuple[int, ...] = (),
    wanted: tuple[int, ...] = (),
    visit: uuid.UUID | None = None,
) -> uuid.UUID:
    """One person's answers: the age group (or none), what matters (single), what is missing."""
    visit = visit or uuid.uuid4()
    answers: list[tuple[CatalogQuestion, tuple[int, ...]]] = [
        (question(campaign, QuestionKind.SINGLE, 0), matters),
        (question(campaign, QuestionKind.MULTI), wanted),
        (_age(campaign), (age,) if age is not None else ()),
    ]
    for q, positions in answers:
        if positions:
            answer = pick(q, *positions)
            answer = Answer(answer.uuid, visit, q, answer.option_ids, answer.value)
            record_answer(session, answer, campaign=campaign, location_id=location_id,
                          channel="kiosk")  # fmt: skip
    return visit


def _table(found: list[object], question_id: int) -> CrossTab:
    (campaign_tabs,) = found
    return next(t for t in campaign_tabs.tables if t.question.id == question_id)  # type: ignore[attr-defined]


def _campaigns(session: Session) -> list[Campaign]:
    return list(session.query(Campaign))


def test_each_answer_counts_in_the_group_its_person_chose(session: Session) -> None:
    campaign, square, playground = demo(session)
    _visit(session, campaign, square.id, age=UNDER_12, matters=(0,), wanted=(0, 1))
    _visit(session, campaign, square.id, age=UNDER_12, matters=(0,), wanted=(1,))
    _visit(session, campaign, square.id, age=ADULTS, matters=(1,), wanted=(2,))
    _visit(session, campaign, square.id, age=None, matters=(1,))  # skipped the age question
    # An answer from no visit at all (an old kiosk) is "not stated" too.
    record_answer(session, pick(question(campaign, QuestionKind.SINGLE, 0), 2),
                  campaign=campaign, location_id=square.id, channel="qr")  # fmt: skip
    _visit(session, campaign, playground.id, age=OLDER, matters=(3,))  # another place
    session.commit()

    scope = load_scope(session, "location", square.id)
    found = cross_tabs(session, scope, _campaigns(session))
    (tabs,) = found
    assert tabs.demographic.id == _age(campaign).id
    assert [g.option.position if g.option else None for g in tabs.tables[0].groups] == [
        0, 1, 2, 3, None
    ]  # fmt: skip
    # The age question itself and the wish question are not compared.
    assert [t.question.kind for t in tabs.tables] == ["single", "scale", "multi"]

    matters = _table(found, question(campaign, QuestionKind.SINGLE, 0).id)
    assert matters.answers == (2, 0, 1, 0, 2)  # the playground's older person is elsewhere
    assert [row.counts for row in matters.rows][:3] == [
        (2, 0, 0, 0, 0),
        (0, 0, 1, 0, 1),
        (0, 0, 0, 0, 1),
    ]
    assert matters.share(matters.rows[0], 0) == 1.0
    assert matters.share(matters.rows[0], 1) == 0.0  # nobody in the group: no division by 0

    wanted = _table(found, question(campaign, QuestionKind.MULTI).id)
    assert wanted.answers[0] == 2 and wanted.rows[1].counts[0] == 2  # both children picked it
    assert wanted.share(wanted.rows[0], 0) == 0.5

    # The campaign's whole tally has the playground's person in the group "65 and older".
    whole = _table(cross_tabs(session, load_scope(session, "campaign", campaign.id),
                              _campaigns(session)), matters.question.id)  # fmt: skip
    assert whole.answers == (2, 0, 1, 1, 2)


def test_a_person_who_answered_the_age_twice_counts_once_by_the_latest(session: Session) -> None:
    campaign, square, _ = demo(session)
    visit = _visit(session, campaign, square.id, age=UNDER_12, matters=(0,))
    _visit(session, campaign, square.id, age=ADULTS, visit=visit)  # back, and answered again
    session.commit()
    scope = load_scope(session, "location", square.id)
    matters = _table(cross_tabs(session, scope, _campaigns(session)),
                     question(campaign, QuestionKind.SINGLE, 0).id)  # fmt: skip
    assert sum(matters.answers) == 1 and matters.rows[0].counts[ADULTS] == 1


def test_no_cross_tab_without_a_demographic_question(session: Session) -> None:
    campaign, square, _ = demo(session)
    session.get(Question, _age(campaign).id).demographic = False  # type: ignore[union-attr]
    session.commit()
    scope = load_scope(session, "location", square.id)
    assert cross_tabs(session, scope, _campaigns(session)) == []


def _answers(app: Flask) -> int:
    with app.app_context():
        session = db.session()
        campaign, square, _ = demo(session)
        _visit(session, campaign, square.id, age=UNDER_12, matters=(0,))
        _visit(session, campaign, square.id, age=ADULTS, matters=(1,))
        _visit(session, campaign, square.id, age=ADULTS, matters=(1,))
        session.commit()
        return campaign.id


def test_the_comparison_page_shows_shares_per_group(app: Flask, staff_client: FlaskClient) -> None:
    campaign_id = _answers(app)
    results = staff_client.get(f"/staff/campaign/{campaign_id}").text
    assert f"/staff/campaign/{campaign_id}/compare" in results
    assert "Wer hat was gewählt, nach Gruppen: Wie alt sind Sie?" in results
    page = staff_client.get(f"/staff/campaign/{campaign_id}/compare")
    assert page.status_code == 200
    text = page.text
    assert "Gruppiert nach: Wie alt sind Sie?" in text
    assert "unter 12" in text and "18 bis 64" in text
    assert "100\xa0%" in text and "(2)" in text  # both adults picked the second answer
    assert "Papierbögen" in text  # says paper sheets are not in it
    assert '<td class="num muted">–</td>' in text  # nobody aged 12 to 17: no 0 % to misread
    assert "Noch keine Antworten." in text  # the scale: nobody answered it


def test_the_comparison_page_explains_how_to_get_one(app: Flask, staff_client: FlaskClient) -> None:
    campaign_id = _answers(app)
    with app.app_context():
        session = db.session()
        for q in session.query(Question).filter_by(campaign_id=campaign_id):
            q.demographic = False
        session.commit()
    results = staff_client.get(f"/staff/campaign/{campaign_id}").text
    assert f"/staff/campaign/{campaign_id}/compare" not in results
    page = staff_client.get(f"/staff/campaign/{campaign_id}/compare")
    assert page.status_code == 200 and "Ergebnisse nach dieser Frage vergleichen" in page.text


def test_the_comparison_is_in_the_report_and_the_workbook(
    app: Flask, staff_client: FlaskClient
) -> None:
    campaign_id = _answers(app)
    report = staff_client.get(f"/staff/campaign/{campaign_id}/report").text
    assert 'class="table crosstab"' in report and "18 bis 64" in report

    answer = staff_client.get(f"/staff/campaign/{campaign_id}/tally.xlsx")
    book = load_workbook(io.BytesIO(answer.data))
    assert book.sheetnames[-2:] == ["Vergleich", "Wünsche"]
    rows = list(book["Vergleich"].iter_rows(values_only=True))
    assert rows[0][0] == "Vergleich: Wie alt sind Sie?"
    header = rows[4]
    assert header[:5] == ("Antwort", "unter 12", "unter 12 %", "12 bis 17", "12 bis 17 %")
    assert rows[5][:2] == ("Antworten der Gruppe", 1)
    second = rows[7]  # the second answer of the first question
    assert second[5:7] == (2, 1.0)  # both adults, 100 %
    # The wishes sheet has a heading over each column (the mark had none).
    wishes = list(book["Wünsche"].iter_rows(values_only=True))
    assert len(wishes[0]) == 6 and all(wishes[0])


def test_viewers_may_compare_too(app: Flask) -> None:
    from kiosk.access.permissions import Role
    from tests.helpers import login_as

    campaign_id = _answers(app)
    viewer = login_as(app, Role.VIEWER)
    assert viewer.get(f"/staff/campaign/{campaign_id}/compare").status_code == 200
    assert viewer.get("/staff/campaign/99999/compare").status_code == 404
    assert viewer.get("/staff/planet/1/compare").status_code == 404


# --- The counter the triggers keep equals what the answers say ---------------------------------


def _from_the_answers(session: Session, campaign_id: int) -> dict[tuple[int, int, int, int], int]:
    """The cross-tab's counts, worked out in Python from every answer of the campaign:
    {(place, question, option or 0 for the answer, group or 0): count}."""
    questions = {q.id: q for q in session.scalars(select(Question).where(
        Question.campaign_id == campaign_id))}  # fmt: skip
    demographic = next(q.id for q in questions.values() if q.demographic)
    picks: dict[int, list[int]] = defaultdict(list)
    for response_id, option_id in session.execute(select(ResponseOption.response_id,
                                                         ResponseOption.option_id)):  # fmt: skip
        picks[response_id].append(option_id)
    answers = list(session.scalars(select(Response).where(Response.campaign_id == campaign_id)
                                   .order_by(Response.id)))  # fmt: skip
    group: dict[uuid.UUID, int] = {}
    for answer in answers:  # the latest answer to the demographic question wins
        if answer.question_id == demographic and answer.visit_id and picks[answer.id]:
            group[answer.visit_id] = picks[answer.id][0]
    counts: Counter[tuple[int, int, int, int]] = Counter()
    for answer in answers:
        if answer.question_id == demographic or answer.text is not None:
            continue
        in_group = group.get(answer.visit_id, 0) if answer.visit_id else 0
        counts[(answer.location_id, answer.question_id, 0, in_group)] += 1
        for option_id in picks[answer.id]:
            counts[(answer.location_id, answer.question_id, option_id, in_group)] += 1
    return dict(counts)


def _counted(session: Session, campaign_id: int) -> dict[tuple[int, int, int, int], int]:
    rows = session.execute(select(CrossCount).where(CrossCount.campaign_id == campaign_id))
    return {(c.location_id, c.question_id, c.option_id, c.group_id): c.count
            for (c,) in rows if c.count}  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_counter_holds_what_the_answers_say_however_they_arrive(
    session: Session, seed: int
) -> None:
    """Visits answer in any order, some twice on the age question, some without a visit;
    one by one (the public flow) and in sync batches (one statement for many answers, with a
    visit's age and its other answers in the same batch). The counter equals the counts
    worked out from the answers, and counting afresh (recount_cross) gives the same."""
    rng = random.Random(seed)  # noqa: S311 (a repeatable order, no secret)
    campaign, square, playground = demo(session)
    places = {square.id: square.code, playground.id: playground.code}
    age = _age(campaign)
    compared = [q for q in campaign.questions if q.kind != QuestionKind.WISH and q.id != age.id]
    _, code = register_device(session, name="Pi", location_id=square.id, actor=COMMAND_LINE)
    device, _ = enrol(session, code)
    assign_places(session, device, set(places), reach=EVERYWHERE, actor=COMMAND_LINE)  # both count
    steps: list[tuple[uuid.UUID | None, int, CatalogQuestion, tuple[int, ...]]] = []
    for _ in range(40):
        visit = None if rng.random() < 0.1 else uuid.uuid4()
        place = rng.choice(list(places))
        answers = [(q, tuple(sorted(rng.sample(range(len(q.options)),
                                              rng.randint(1, 3) if q.kind == "multi" else 1))))
                   for q in rng.sample(compared, rng.randint(0, len(compared)))]  # fmt: skip
        for _ in range(rng.choice([0, 1, 1, 2]) if visit else 0):
            answers.insert(rng.randint(0, len(answers)), (age, (rng.randrange(4),)))
        steps.extend((visit, place, q, positions) for q, positions in answers)
    # Interleave the visits a little, as several phones and kiosks would.
    for index in range(len(steps) - 1):
        if rng.random() < 0.3:
            steps[index], steps[index + 1] = steps[index + 1], steps[index]
    position = 0
    while position < len(steps):
        size = rng.choice([1, 1, 5, 20])
        chunk = steps[position : position + size]
        position += size
        if size == 1:
            visit, place, q, positions = chunk[0]
            answer = pick(q, *positions)
            record_answer(session, Answer(answer.uuid, visit, q, answer.option_ids, answer.value),
                          campaign=campaign, location_id=place, channel="kiosk")  # fmt: skip
        else:
            items = [{"uuid": str(uuid.uuid4()), "visit_id": str(visit) if visit else None,
                      "location": places[place], "question_id": q.id,
                      "option_ids": [q.options[p].id for p in positions],
                      "value": q.options[positions[0]].value}
                     for visit, place, q, positions in chunk]  # fmt: skip
            verdicts = ingest(session, load_catalog(session), device, items, wish_max_chars=280)
            assert {v.status for v in verdicts} == {"stored"}, [v for v in verdicts if v.error]
    session.commit()
    expected = _from_the_answers(session, campaign.id)
    assert sum(expected.values()) > 100
    assert _counted(session, campaign.id) == expected
    recount_cross(session, campaign.id)
    assert _counted(session, campaign.id) == expected


def test_marking_another_question_counts_the_campaign_afresh(session: Session) -> None:
    campaign, square, _ = demo(session)
    _visit(session, campaign, square.id, age=UNDER_12, matters=(0,), wanted=(1,))
    _visit(session, campaign, square.id, age=ADULTS, matters=(1,))
    session.commit()
    matters = question(campaign, QuestionKind.SINGLE, 0)
    stored = session.get_one(Question, matters.id)
    form = QuestionForm(de=stored.texts["de"], demographic=True, options=rows_of(stored))
    save_question(session, matters.id, form, actor=COMMAND_LINE)
    session.commit()
    assert _counted(session, campaign.id) == _from_the_answers(session, campaign.id)
    scope = load_scope(session, "location", square.id)
    (tabs,) = cross_tabs(session, scope, _campaigns(session))
    assert tabs.demographic.id == matters.id
    wanted = _table([tabs], question(campaign, QuestionKind.MULTI).id)
    assert wanted.rows[1].counts[0] == 1  # the child who found the first thing mattered


def test_the_migration_counts_the_answers_there_are(empty_database_url: str) -> None:
    """From 0017 with the demo's visits to 0018: the counter holds what the answers say."""
    config = alembic_config(empty_database_url)
    alembic_command.upgrade(config, "0017")
    engine = make_engine(empty_database_url)
    # Today's code writes what 0017 holds, triggers aside.
    with todays_code_on(engine), Session(engine) as session:
        load_demo(session, sample_visits=40, actor=COMMAND_LINE, formats=False)
        session.commit()
        campaign_ids = list(session.scalars(select(Campaign.id)))
    alembic_command.upgrade(config, "0018")
    with todays_code_on(engine), Session(engine) as session:
        for campaign_id in campaign_ids:
            expected = _from_the_answers(session, campaign_id)
            assert sum(expected.values()) > 40
            assert _counted(session, campaign_id) == expected
    alembic_command.downgrade(config, "0017")
    engine.dispose()


@pytest.mark.postgresql  # SQLite has one writer at a time: a count waits for answers anyway
def test_answers_in_flight_while_staff_mark_another_question_are_counted_once() -> None:
    """A visit's answers are being stored (not yet committed) when staff mark another question
    as the demographic one: the count afresh waits for them and holds them once (it used to
    leave a row from the former count beside its own on PostgreSQL)."""
    with fresh_postgres_database("kiosk_recount") as url:
        _answer_while_marking(url)


def _answer_while_marking(url: str) -> None:
    alembic_command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    with Session(engine) as session:
        load_demo(session, sample_visits=5, actor=COMMAND_LINE, formats=False)
        session.commit()
    answering, staff = Session(engine), Session(engine)
    campaign = next(iter(load_catalog(answering).campaigns.values()))
    target = question(campaign, QuestionKind.SINGLE, 0)
    other = question(campaign, QuestionKind.MULTI)
    place = answering.scalar(select(Response.location_id).limit(1))
    visit = uuid.uuid4()
    for q in (target, other):
        answer = Answer(uuid.uuid4(), visit, q, (q.options[0].id,), None)
        record_answer(answering, answer, campaign=campaign, location_id=place, channel="kiosk")
    stored = staff.get_one(Question, target.id)
    form = QuestionForm(de=stored.texts["de"], demographic=True, options=rows_of(stored))
    failed: list[str] = []

    def mark() -> None:
        try:
            save_question(staff, target.id, form, actor=COMMAND_LINE)
            staff.commit()
        except Exception as error:
            failed.append(repr(error))

    marking = threading.Thread(target=mark)
    marking.start()
    time.sleep(1)  # the count afresh is waiting for the answers in flight
    answering.commit()
    marking.join(30)
    answering.close()
    staff.close()
    assert not failed, failed
    with Session(engine) as session:
        assert _counted(session, campaign.id) == _from_the_answers(session, campaign.id)
    engine.dispose()
