"""The paper channel: strokes from a tally sheet, typed in, counted in every tally, withdrawable."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from kiosk.access.permissions import Role
from kiosk.collect.answers import record_answer
from kiosk.collect.paper import enter_paper_tally, withdraw_paper_tally
from kiosk.core.errors import FormError, NotFoundError
from kiosk.models import COMMAND_LINE, Question, QuestionKind
from kiosk.results.tallies import load_scope, tally
from kiosk.web import db
from tests.helpers import demo, login_as, pick, question


def counts_of(session: Session, location_id: int, question_id: int) -> dict[str, object]:
    scope = load_scope(session, "location", location_id)
    (campaign,) = tally(session, scope)
    (found,) = [q for q in campaign.questions if q.question.id == question_id]
    return {
        "answers": found.answers_by_channel,
        "options": {o.option.position: o.by_channel["paper"] for o in found.options},
        "shares": {o.option.position: round(o.share, 3) for o in found.options},
    }


def test_a_sheet_counts_as_paper_next_to_the_other_channels(session: Session) -> None:
    campaign, square, _ = demo(session)
    single = question(campaign, QuestionKind.SINGLE)
    record_answer(session, pick(single, 0), campaign=campaign, location_id=square.id,
                  channel="kiosk")  # fmt: skip
    options = {str(o.id): str(n) for o, n in zip(single.options, [3, 0, 1], strict=False)}
    sheet = enter_paper_tally(session, location_id=square.id, question_id=single.id,
                              counts=options, answers="", actor=COMMAND_LINE)  # fmt: skip
    assert sheet.answers == 4
    counted = counts_of(session, square.id, single.id)
    assert counted["answers"] == {"kiosk": 1, "qr": 0, "web": 0, "paper": 4}
    assert counted["options"][0] == 3 and counted["options"][2] == 1
    assert counted["shares"][0] == 0.8  # 4 of 5 people: 1 at the kiosk, 3 on paper
    withdraw_paper_tally(session, sheet.id, location_id=square.id, actor=COMMAND_LINE)
    withdraw_paper_tally(
        session, sheet.id, location_id=square.id, actor=COMMAND_LINE
    )  # twice: no double undo
    counted = counts_of(session, square.id, single.id)
    assert counted["answers"]["paper"] == 0 and counted["options"][0] == 0


def test_a_multiple_choice_sheet_says_how_many_people(session: Session) -> None:
    campaign, square, _ = demo(session)
    multi = question(campaign, QuestionKind.MULTI)
    counts = {str(multi.options[0].id): "4", str(multi.options[1].id): "3"}
    for answers in ("", "3", "8", "x", "1"):
        with pytest.raises(FormError) as error:
            enter_paper_tally(session, location_id=square.id, question_id=multi.id,
                              counts=counts, answers=answers, actor=COMMAND_LINE)  # fmt: skip
        assert set(error.value.fields) == {"answers"}
    sheet = enter_paper_tally(session, location_id=square.id, question_id=multi.id,
                              counts=counts, answers="5", actor=COMMAND_LINE)  # fmt: skip
    assert counts_of(session, square.id, multi.id)["answers"]["paper"] == sheet.answers == 5


@pytest.mark.parametrize("raw", ["-1", "1.5", "abc", "100001", "1e3", "²"])
def test_a_count_that_is_not_a_whole_number_is_refused(session: Session, raw: str) -> None:
    campaign, square, _ = demo(session)
    single = question(campaign, QuestionKind.SINGLE)
    with pytest.raises(FormError) as error:
        counts = {str(single.options[0].id): raw}
        enter_paper_tally(session, location_id=square.id, question_id=single.id,
                          counts=counts, answers="", actor=COMMAND_LINE)  # fmt: skip
    assert set(error.value.fields) == {f"option-{single.options[0].id}"}


def test_nothing_to_count_and_questions_that_do_not_run_there_are_refused(
    session: Session,
) -> None:
    campaign, square, _ = demo(session)
    single, wish = question(campaign, QuestionKind.SINGLE), question(campaign, QuestionKind.WISH)
    with pytest.raises(FormError):
        enter_paper_tally(session, location_id=square.id, question_id=single.id, counts={},
                          answers="", actor=COMMAND_LINE)  # fmt: skip
    with pytest.raises(NotFoundError):
        enter_paper_tally(session, location_id=square.id, question_id=wish.id, counts={},
                          answers="", actor=COMMAND_LINE)  # fmt: skip
    with pytest.raises(NotFoundError):
        enter_paper_tally(session, location_id=999_999, question_id=single.id, counts={},
                          answers="", actor=COMMAND_LINE)  # fmt: skip


def test_editors_type_in_a_sheet_and_it_is_in_the_csv(app: Flask) -> None:
    with app.app_context():
        campaign, square, _ = demo(db.session())
    single = question(campaign, QuestionKind.SINGLE)
    editor = login_as(app, Role.EDITOR)
    page = editor.get(f"/staff/paper/{square.id}")
    assert page.status_code == 200 and "Grün und Schatten" in page.text
    url = f"/staff/paper/{square.id}/{single.id}"
    bad = editor.post(url, data={f"option-{single.options[0].id}": "drei"})
    assert bad.status_code == 422 and 'value="drei"' in bad.text
    assert editor.post(url, data={f"option-{single.options[0].id}": "3"}).status_code == 303
    csv = editor.get(f"/staff/location/{square.id}/tally.csv?headers=names").text
    header, first = csv.splitlines()[0].split(";"), csv.splitlines()[1].split(";")
    assert first[header.index("count_paper")] == "3"
    assert "Papier" in editor.get(f"/staff/location/{square.id}").text
    viewer = login_as(app, Role.VIEWER)
    assert viewer.post(url, data={f"option-{single.options[0].id}": "3"}).status_code == 403
    assert editor.post(f"/staff/paper/{square.id}/sheet/999/withdraw").status_code == 404


def test_a_multiple_choice_sheet_cannot_have_more_picks_than_allowed(session: Session) -> None:
    campaign, square, _ = demo(session)
    multi = question(campaign, QuestionKind.MULTI)  # up to 3 each
    counts = {str(o.id): "1" for o in multi.options}  # six picks
    with pytest.raises(FormError) as error:
        enter_paper_tally(session, location_id=square.id, question_id=multi.id,
                          counts=counts, answers="1", actor=COMMAND_LINE)  # fmt: skip
    assert set(error.value.fields) == {"answers"}
    sheet = enter_paper_tally(session, location_id=square.id, question_id=multi.id,
                              counts=counts, answers="2", actor=COMMAND_LINE)  # fmt: skip
    assert sheet.answers == 2


def test_the_sheet_page_says_how_many_answers_a_multiple_choice_takes(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        campaign, square, _ = demo(session)
        multi = question(campaign, QuestionKind.MULTI)
        session.get_one(Question, multi.id).max_choices = 2
        session.commit()
    page = login_as(app, Role.EDITOR).get(f"/staff/paper/{square.id}?lang=en").text
    heading = page.split(f'id="question-{multi.id}"')[1].split("</h2>")[0]
    assert '<span class="choice-limit">(up to 2 answers)</span>' in heading
    single = question(campaign, QuestionKind.SINGLE)
    assert "choice-limit" not in page.split(f'id="question-{single.id}"')[1].split("</h2>")[0]


def test_withdrawing_a_sheet_twice_at_once_takes_it_out_once(committed_app: Flask) -> None:
    from concurrent.futures import ThreadPoolExecutor

    app = committed_app  # four requests at once, each in a transaction of its own

    with app.app_context():
        session = db.session()
        campaign, square, _ = demo(session)
        single = question(campaign, QuestionKind.SINGLE)
        sheet = enter_paper_tally(session, location_id=square.id, question_id=single.id,
                                  counts={str(single.options[0].id): "5"}, answers="",
                                  actor=COMMAND_LINE)  # fmt: skip
        session.commit()
        sheet_id = sheet.id
    editors = [login_as(app, Role.EDITOR)] + [app.test_client() for _ in range(3)]
    cookie = editors[0].get_cookie("session")
    assert cookie is not None
    for client in editors[1:]:
        client.set_cookie("session", cookie.value)
    url = f"/staff/paper/{square.id}/sheet/{sheet_id}/withdraw"
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda client: client.post(url).status_code, editors))
    assert statuses == [303] * 4
    with app.app_context():
        counted = counts_of(db.session(), square.id, single.id)
    assert counted["answers"]["paper"] == 0 and counted["options"][0] == 0
