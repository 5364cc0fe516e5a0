"""Recording answers: validation, idempotency by UUID, counters that match the rows."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from kiosk.collect.answers import Answer, parse_answer, question_of, record_answer
from kiosk.collect.catalog import CatalogCache, CatalogQuestion, load_catalog
from kiosk.core.errors import CampaignClosedError, InvalidAnswerError, NotFoundError
from kiosk.models import (
    AnswerCount,
    Area,
    Campaign,
    Location,
    Option,
    OptionCount,
    Question,
    QuestionKind,
    Response,
    ResponseOption,
)
from tests.helpers import demo, pick, question

WISH_MAX = 280


def form(**fields: str | list[str]) -> dict[str, list[str]]:
    base: dict[str, list[str]] = {"uuid": [str(uuid.uuid4())]}
    for name, value in fields.items():
        base[name] = value if isinstance(value, list) else [value]
    return base


def count_rows(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_same_uuid_twice_is_one_response_and_one_count(session: Session) -> None:
    campaign, square, _ = demo(session)
    q = question(campaign, QuestionKind.SINGLE)
    answer = pick(q, 2)

    assert (
        record_answer(session, answer, campaign=campaign, location_id=square.id, channel="kiosk")
        is True
    )
    assert (
        record_answer(session, answer, campaign=campaign, location_id=square.id, channel="kiosk")
        is False
    )
    session.commit()
    assert (
        record_answer(session, answer, campaign=campaign, location_id=square.id, channel="qr")
        is False
    )
    session.commit()

    assert count_rows(session, Response) == 1
    assert count_rows(session, ResponseOption) == 1
    counts = session.execute(
        select(OptionCount.option_id, OptionCount.channel, OptionCount.count)
    ).all()
    assert counts == [(q.options[2].id, "kiosk", 1)]
    assert session.scalar(select(AnswerCount.count)) == 1


def test_multi_choice_stores_each_pick_and_counts_the_answer_once(session: Session) -> None:
    campaign, square, _ = demo(session)
    q = question(campaign, QuestionKind.MULTI)
    record_answer(session, pick(q, 0, 3, 5), campaign=campaign, location_id=square.id, channel="qr")
    session.commit()
    assert count_rows(session, Response) == 1
    assert count_rows(session, ResponseOption) == 3
    assert session.scalar(select(func.sum(OptionCount.count))) == 3
    assert session.scalar(select(AnswerCount.count)) == 1


def test_wish_is_stored_pending_moderation(session: Session) -> None:
    campaign, square, _ = demo(session)
    q = question(campaign, QuestionKind.WISH)
    parsed = parse_answer(q, form(text="  Mehr Bänke!  "), wish_max_chars=WISH_MAX)
    record_answer(session, parsed, campaign=campaign, location_id=square.id, channel="kiosk")
    session.commit()
    stored = session.scalars(select(Response)).one()
    assert (stored.text, stored.wish_state) == ("Mehr Bänke!", "pending")


def test_parse_scale_maps_the_value_to_its_option(session: Session) -> None:
    campaign, _, _ = demo(session)
    q = question(campaign, QuestionKind.SCALE)
    parsed = parse_answer(q, form(value="4"), wish_max_chars=WISH_MAX)
    assert parsed.value == 4
    assert parsed.option_ids == (q.options[3].id,)


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [
        (QuestionKind.SCALE, {"value": "sehr"}, "point on the scale"),
        (QuestionKind.SCALE, {"value": "9"}, "point on the scale"),
        (QuestionKind.SCALE, {"value": ""}, "point on the scale"),
        (QuestionKind.SINGLE, {"option": "abc"}, "not one of the choices"),
        (QuestionKind.SINGLE, {"option": "999999"}, "not one of the choices"),
        (QuestionKind.SINGLE, {}, "choose an answer"),
        (QuestionKind.WISH, {"text": "   "}, "write your wish"),
        (QuestionKind.WISH, {"text": "x" * (WISH_MAX + 1)}, "too long"),
    ],
)
def test_parse_refuses_bad_answers_with_a_message(
    session: Session, kind: QuestionKind, fields: dict[str, str], message: str
) -> None:
    campaign, _, _ = demo(session)
    with pytest.raises(InvalidAnswerError) as caught:
        parse_answer(question(campaign, kind), form(**fields), wish_max_chars=WISH_MAX)
    assert message in caught.value.message


def test_parse_refuses_two_options_on_a_single_choice_and_too_many_on_multi(
    session: Session,
) -> None:
    campaign, _, _ = demo(session)
    single = question(campaign, QuestionKind.SINGLE)
    ids = [str(o.id) for o in single.options[:2]]
    with pytest.raises(InvalidAnswerError, match="only one"):
        parse_answer(single, form(option=ids), wish_max_chars=WISH_MAX)
    multi = question(campaign, QuestionKind.MULTI)
    ids = [str(o.id) for o in multi.options[:4]]
    with pytest.raises(InvalidAnswerError, match="at most"):
        parse_answer(multi, form(option=ids), wish_max_chars=WISH_MAX)


def test_parse_refuses_an_option_of_another_question_and_a_hidden_one(session: Session) -> None:
    campaign, _, _ = demo(session)
    first, multi = question(campaign, QuestionKind.SINGLE), question(campaign, QuestionKind.MULTI)
    with pytest.raises(InvalidAnswerError):
        parse_answer(first, form(option=str(multi.options[0].id)), wish_max_chars=WISH_MAX)
    session.get(Option, first.options[0].id).hidden = True
    session.commit()
    first = question(demo(session)[0], QuestionKind.SINGLE)
    with pytest.raises(InvalidAnswerError):
        parse_answer(first, form(option=str(first.options[0].id)), wish_max_chars=WISH_MAX)


@pytest.mark.parametrize("bad", ["", "not-a-uuid", "1234", "' OR 1=1 --", "\x00"])
def test_parse_refuses_a_malformed_uuid(session: Session, bad: str) -> None:
    campaign, _, _ = demo(session)
    q = question(campaign, QuestionKind.SINGLE)
    fields = form(option=str(q.options[0].id))
    fields["uuid"] = [bad]
    with pytest.raises(InvalidAnswerError, match="damaged"):
        parse_answer(q, fields, wish_max_chars=WISH_MAX)


def test_a_closed_campaign_takes_no_answer(session: Session) -> None:
    campaign, square, _ = demo(session)
    session.get(Campaign, campaign.id).ends_at = dt.datetime(2025, 12, 13, tzinfo=dt.UTC)
    session.commit()
    campaign, square, _ = demo(session)
    catalog = load_catalog(session)
    assert catalog.running_campaign(square, dt.datetime.now(dt.UTC)) is None
    assert catalog.running_campaign(square, dt.datetime(2025, 12, 1, tzinfo=dt.UTC)) == campaign
    with pytest.raises(CampaignClosedError):
        record_answer(
            session,
            pick(campaign.questions[0], 0),
            campaign=campaign,
            location_id=square.id,
            channel="qr",
        )
    session.rollback()
    assert count_rows(session, Response) == 0


def test_a_location_outside_the_campaign_takes_no_answer(session: Session) -> None:
    campaign, square, _ = demo(session)
    elsewhere = Location(
        area_id=session.get(Location, square.id).area_id, code="lib", name="Bibliothek"
    )
    session.add(elsewhere)
    session.commit()
    with pytest.raises(InvalidAnswerError, match="does not belong"):
        record_answer(
            session,
            pick(campaign.questions[0], 0),
            campaign=campaign,
            location_id=elsewhere.id,
            channel="qr",
        )
    session.rollback()
    assert count_rows(session, Response) == 0


def test_a_question_of_another_campaign_is_refused(session: Session) -> None:
    campaign, square, _ = demo(session)
    other = Campaign(
        title="Andere",
        questions=[
            Question(
                position=0,
                kind=QuestionKind.SINGLE,
                texts={"de": "Fremd?"},
                options=[Option(position=0, texts={"de": "Ja"})],
            )
        ],
    )
    session.add(other)
    session.commit()
    foreign = load_catalog(session).campaigns[other.id].questions[0]
    with pytest.raises(InvalidAnswerError, match="does not belong"):
        question_of(campaign, str(foreign.id), square.id)
    with pytest.raises(InvalidAnswerError, match="does not belong"):
        record_answer(
            session, pick(foreign, 0), campaign=campaign, location_id=square.id, channel="qr"
        )
    with pytest.raises(InvalidAnswerError, match="damaged"):
        question_of(campaign, "drop table", square.id)


def test_running_campaign_picks_the_open_one(session: Session) -> None:
    campaign, square, _ = demo(session)
    session.add(
        Campaign(
            title="Später",
            starts_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
            locations=[session.get(Location, square.id)],
        )
    )
    far = Location(area=Area(name="Bremen Tenever"), code="tenever", name="Tenever Platz")
    session.add(far)
    session.commit()
    catalog = load_catalog(session)
    now = dt.datetime.now(dt.UTC)
    assert catalog.running_campaign(catalog.locations["ehp"], now) == campaign
    assert catalog.running_campaign(catalog.locations["tenever"], now) is None
    with pytest.raises(NotFoundError):
        catalog.location("nowhere")


def test_a_config_change_moves_the_revision_and_the_cache_reloads(session: Session) -> None:
    cache = CatalogCache()
    before = cache.get(session)
    assert cache.get(session) is before  # unchanged: the same snapshot
    campaign = session.scalars(select(Campaign)).one()
    campaign.questions[0].texts = {"de": "Neu?"}
    session.commit()
    after = cache.get(session)
    assert after.revision == before.revision + 1
    assert after.campaigns[campaign.id].questions[0].texts == {"de": "Neu?"}
    # Answers do not move it: only configuration does.
    c, square, _ = demo(session)
    record_answer(session, pick(c.questions[0], 0), campaign=c, location_id=square.id, channel="qr")
    session.commit()
    assert cache.get(session) is after


# A random stream of answers, with repeats of earlier UUIDs, keeps counters equal to rows.
answer_plan = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3),  # which choice question
        st.integers(min_value=0, max_value=5),  # which option (modulo the options)
        st.sampled_from(["kiosk", "qr"]),
        st.booleans(),  # at the playground instead of the square
        st.integers(min_value=-1, max_value=30),  # >= 0: repeat an earlier UUID
    ),
    max_size=25,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=answer_plan)
def test_counters_always_equal_the_responses_behind_them(session: Session, plan: list) -> None:
    campaign, square, playground = demo(session)
    choice_questions: list[CatalogQuestion] = [q for q in campaign.questions if q.options]
    sent: list[Answer] = []
    for q_index, o_index, channel, at_playground, repeat in plan:
        if 0 <= repeat < len(sent):
            answer = sent[repeat]
        else:
            q = choice_questions[q_index % len(choice_questions)]
            answer = pick(q, o_index % len(q.options))
            sent.append(answer)
        place = playground if at_playground else square
        record_answer(session, answer, campaign=campaign, location_id=place.id, channel=channel)
    session.flush()

    # Per place, option (or question) and channel, the counters equal the rows behind them.
    option_rows = session.execute(
        select(Response.location_id, ResponseOption.option_id, Response.channel, func.count())
        .join(ResponseOption, ResponseOption.response_id == Response.id)
        .group_by(Response.location_id, ResponseOption.option_id, Response.channel)
    ).all()
    option_counters = session.execute(
        select(
            OptionCount.location_id, OptionCount.option_id, OptionCount.channel, OptionCount.count
        )
    ).all()
    assert sorted(map(tuple, option_counters)) == sorted(map(tuple, option_rows))
    answer_rows = session.execute(
        select(Response.location_id, Response.question_id, Response.channel, func.count()).group_by(
            Response.location_id, Response.question_id, Response.channel
        )
    ).all()
    answer_counters = session.execute(
        select(
            AnswerCount.location_id, AnswerCount.question_id, AnswerCount.channel, AnswerCount.count
        )
    ).all()
    assert sorted(map(tuple, answer_counters)) == sorted(map(tuple, answer_rows))
    assert count_rows(session, Response) == len(sent)
    session.rollback()


@pytest.mark.parametrize("code", ["EHP2", "x", "a" * 33])
def test_location_codes_are_short_and_lower_case(session: Session, code: str) -> None:
    """The QR link is matched lower-cased, so the database refuses any other code."""
    area_id = session.scalars(select(Area.id)).one()
    session.add(Location(area_id=area_id, code=code, name="Falsch"))
    with pytest.raises((IntegrityError, DataError)):  # PostgreSQL: too long for VARCHAR(32)
        session.flush()
    session.rollback()
