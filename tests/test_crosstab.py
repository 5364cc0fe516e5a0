"""Cross-tabs: what each group of the demographic question chose, in the page and downloads."""

from __future__ import annotations

import io
import uuid

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from kiosk.collect.answers import Answer, record_answer
from kiosk.collect.catalog import CatalogCampaign, CatalogQuestion
from kiosk.models import Campaign, Question, QuestionKind
from kiosk.results.crosstab import CrossTab, cross_tabs
from kiosk.results.tallies import load_scope
from kiosk.web import db
from tests.helpers import demo, pick, question

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
