"""Invariants the schema holds (migration 0016), and the upgrade of a database holding data."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command as alembic_command
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from kiosk.access.accounts import create_user
from kiosk.cli import alembic_config
from kiosk.collect.answers import Answer, record_answer
from kiosk.collect.catalog import load_catalog
from kiosk.collect.paper import enter_paper_tally
from kiosk.models import (
    COMMAND_LINE,
    AnswerCount,
    Base,
    Campaign,
    Device,
    OptionCount,
    QuestionKind,
    Response,
    Role,
    StaffUser,
    WishState,
    utcnow,
)
from kiosk.models.engine import make_engine
from kiosk.models.response import RESPONSE_CHANNELS
from kiosk.safety.moderation import WishAction, moderate
from kiosk.setup.demo import load_demo
from kiosk.sync.ingest import ingest
from tests.helpers import demo, pick, question, todays_code_on

Row = dict[str, Any]
MAY_1 = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)


def vote(session: Session) -> Row:
    campaign, square, _ = demo(session)
    now = utcnow()
    return {
        "uuid": uuid.uuid4(),
        "campaign_id": campaign.id,
        "question_id": question(campaign, QuestionKind.SINGLE).id,
        "location_id": square.id,
        "channel": "kiosk",
        "received_at": now,
        "answered_at": now,
    }


def wish(session: Session) -> Row:
    campaign, _, _ = demo(session)
    return {
        **vote(session),
        "question_id": question(campaign, QuestionKind.WISH).id,
        "text": "Mehr Bänke am Platz",
        "wish_state": "pending",
    }


def staff_member(_session: Session) -> Row:
    return {
        "email": "neu@example.org",
        "name": "Neu",
        "password_hash": "-",
        "role": "viewer",
        "active": True,
        "created_at": utcnow(),
    }


def campaign(_session: Session) -> Row:
    return {"title": "Sommer", "intro": {}, "starts_at": MAY_1, "ends_at": MAY_1 + dt.timedelta(30)}


def raw(value: object) -> object:
    """A value as SQL, past the column's type (and its check in Python)."""
    if value is None:
        return sa.null()
    return sa.literal(value, sa.String()) if isinstance(value, str) else value


@pytest.mark.parametrize(
    ("table", "valid", "bad", "refused_by"),
    [
        (Response, vote, {"channel": "paper"}, "ck_response_channel"),
        (Response, vote, {"channel": "sms"}, "ck_response_channel"),
        (Response, wish, {"wish_state": "hidden"}, "ck_response_wish_state"),
        (Response, wish, {"wish_state": None}, "ck_response_wish_text_and_state"),
        (Response, vote, {"wish_state": "pending"}, "ck_response_wish_text_and_state"),
        (Response, vote, {"answered_at": None}, "answered_at"),
        (StaffUser, staff_member, {"role": "root"}, "ck_staff_user_role"),
        (StaffUser, staff_member, {"role": "Admin"}, "ck_staff_user_role"),
        (Campaign, campaign, {"ends_at": MAY_1 - dt.timedelta(1)}, "ck_campaign_starts_before_end"),
        (Campaign, campaign, {"ends_at": MAY_1}, "ck_campaign_starts_before_end"),
    ],
    ids=[
        "paper-is-no-response-channel",
        "unknown-channel",
        "unknown-wish-state",
        "wish-text-without-state",
        "wish-state-without-text",
        "answered-at-missing",
        "unknown-role",
        "role-in-capitals",
        "campaign-ends-before-it-starts",
        "campaign-ends-as-it-starts",
    ],
)
def test_the_database_refuses_a_row_breaking_an_invariant(
    session: Session,
    table: type[Base],
    valid: Callable[[Session], Row],
    bad: Row,
    refused_by: str,
) -> None:
    row = valid(session)
    insert = sa.insert(table.__table__)
    with pytest.raises(IntegrityError) as refused:
        session.execute(insert.values({**row, **{k: raw(v) for k, v in bad.items()}}))
    assert refused_by in str(refused.value.orig)
    session.rollback()
    session.execute(insert.values(row))  # the session goes on, and the row as it should be fits
    session.commit()
    assert session.scalar(sa.select(sa.func.count()).select_from(table)) >= 1


def test_the_invariants_let_in_every_legitimate_row(session: Session) -> None:
    rows = [{**vote(session), "channel": channel} for channel in RESPONSE_CHANNELS]
    rows += [{**wish(session), "wish_state": state.value} for state in WishState]
    # What redaction and retention leave of a wish: no text, rejected, marked.
    rows.append({**wish(session), "text": "", "wish_state": "rejected", "wish_mark": "redacted"})
    session.execute(sa.insert(Response), rows)
    session.execute(
        sa.insert(StaffUser),
        [{**staff_member(session), "email": f"{role}@example.org", "role": role} for role in Role],
    )
    windows = [(None, None), (MAY_1, None), (None, MAY_1), (MAY_1, MAY_1 + dt.timedelta(1))]
    session.execute(
        sa.insert(Campaign),
        [{**campaign(session), "starts_at": s, "ends_at": e} for s, e in windows],
    )
    session.commit()
    stored = session.scalars(sa.select(Response.wish_state).where(Response.text.is_not(None)))
    assert sorted(stored) == ["approved", "pending", "rejected", "rejected"]


def test_the_typed_columns_refuse_an_unknown_value_before_the_database(session: Session) -> None:
    with pytest.raises(StatementError, match="root"):
        session.execute(sa.insert(StaffUser).values({**staff_member(session), "role": "root"}))
    session.rollback()
    with pytest.raises(StatementError, match="paper"):
        session.execute(sa.insert(Response).values({**vote(session), "channel": "paper"}))
    session.rollback()
    (user,) = session.scalars(sa.select(StaffUser))
    assert user.role is Role.ADMIN  # read back as the enum


# The upgrade from 0015 -----------------------------------------------------------------


def every_row(engine: sa.Engine) -> dict[str, dict[object, Row]]:
    """Every row of every table as the driver reads it (no column type in between), by id."""
    found: dict[str, dict[object, Row]] = {}
    present = set(sa.inspect(engine).get_table_names())  # (a later revision's are not yet)
    with engine.connect() as connection:
        for table in [t for t in Base.metadata.sorted_tables if t.name in present]:
            rows = [
                dict(r._mapping) for r in connection.exec_driver_sql(f'SELECT * FROM "{table}"')
            ]
            found[table.name] = {r["id"] if "id" in r else repr(sorted(r.items())): r for r in rows}
    return found


def indexes_and_triggers(engine: sa.Engine) -> dict[str, str]:
    """The definition of every index and trigger, whitespace folded."""
    if engine.dialect.name == "sqlite":
        query = "SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger')"
    else:
        query = (
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' UNION ALL "
            "SELECT trigger_name || ' ' || event_object_table, action_statement"
            " FROM information_schema.triggers"
        )
    with engine.connect() as connection:
        return {
            name: " ".join((sql or "").split()) for name, sql in connection.exec_driver_sql(query)
        }


def counted(engine: sa.Engine) -> tuple[int, int]:
    """All answers and all picked options the counters hold."""
    with Session(engine) as session:
        return (
            session.scalar(sa.select(sa.func.sum(AnswerCount.count))) or 0,
            session.scalar(sa.select(sa.func.sum(OptionCount.count))) or 0,
        )


def the_counters_still_count(engine: sa.Engine) -> None:
    """A new answer goes into the counters, as the triggers of 0003 (or 0005) see to."""
    answers, options = counted(engine)
    with Session(engine) as session:
        catalog = load_catalog(session)
        (running,) = [c for c in catalog.campaigns.values() if c.questions]  # the demo's
        single = question(running, QuestionKind.SINGLE)
        record_answer(session, pick(single, 0), campaign=running,
                      location_id=catalog.locations["ehp"].id, channel="qr")  # fmt: skip
        session.commit()
    assert counted(engine) == (answers + 1, options + 1)


def fill_as_at_0015(engine: sa.Engine) -> dict[str, int]:
    """What a central (and a node) holds at 0015; return the ids of the rows to be repaired.

    The current code writes these rows: its columns are the ones 0015 has. What breaks an
    invariant (older versions, hand edits) goes in through SQL past the models' types.
    """
    with Session(engine) as session:
        # kiosk and QR answers; wishes pending, approved
        load_demo(session, sample_visits=40, actor=COMMAND_LINE, formats=False)
        session.commit()
        catalog, square, playground = demo(session)
        single = question(catalog, QuestionKind.SINGLE)
        wishes = question(catalog, QuestionKind.WISH)
        device = Device(name="Kiosk Platz", location_id=square.id)  # 0015 has no places
        session.add(device)
        session.flush()
        visit, now = uuid.uuid4(), utcnow()
        synced = [
            {"uuid": str(uuid.uuid4()), "visit_id": str(visit), "location": "ehp",
             "question_id": single.id, "option_ids": [single.options[1].id],
             "answered_at": (now - dt.timedelta(minutes=5)).isoformat()},
            {"uuid": str(uuid.uuid4()), "visit_id": str(visit), "location": "ehp",
             "question_id": wishes.id, "text": "Ein Sonnensegel über dem Sandkasten",
             "answered_at": (now - dt.timedelta(minutes=4)).isoformat()},
        ]  # fmt: skip
        verdicts = ingest(session, load_catalog(session), device, synced, wish_max_chars=280,
                          hold_aside=False)  # fmt: skip
        assert [v.status for v in verdicts] == ["stored", "stored"]
        record_answer(session, pick(single, 2), campaign=catalog, location_id=playground.id,
                      channel="qr", source="poster-7")  # fmt: skip
        # As a node keeps it: in the outbox until central has it.
        record_answer(session, pick(single, 0), campaign=catalog, location_id=square.id,
                      channel="kiosk", queue=True)  # fmt: skip
        texts = ["Ablehnen", "Persönlich", "Schwärzen", "Ohne Status", "Ohne Text", "Groß",
                 "Unbekannt"]  # fmt: skip
        for text in texts:
            answer = Answer(uuid.uuid4(), uuid.uuid4(), wishes, text=text)
            record_answer(session, answer, campaign=catalog, location_id=square.id,
                          channel="kiosk")  # fmt: skip
        ids = {
            text: session.scalars(sa.select(Response.id).where(Response.text == text)).one()
            for text in texts
        }
        moderate(session, [ids["Ablehnen"]], WishAction.REJECT, actor=COMMAND_LINE)
        moderate(session, [ids["Persönlich"]], WishAction.APPROVE, actor=COMMAND_LINE)
        moderate(session, [ids["Persönlich"]], WishAction.MARK_PERSONAL_DATA, actor=COMMAND_LINE)
        moderate(session, [ids["Schwärzen"]], WishAction.REDACT, actor=COMMAND_LINE)
        five = {str(single.options[0].id): "5"}
        enter_paper_tally(session, location_id=square.id, question_id=single.id, counts=five,
                          answers="", actor=COMMAND_LINE)  # fmt: skip
        session.add_all(
            [
                Campaign(
                    title="Sommer", intro={}, starts_at=MAY_1, ends_at=MAY_1 + dt.timedelta(9)
                ),
                Campaign(title="Bis Mai", intro={}, ends_at=MAY_1),
            ]
        )
        moderator = create_user(session, email="m@example.org", name="M", password="x" * 12,
                                role="moderator", actor=COMMAND_LINE)  # fmt: skip
        stranger = create_user(
            session, email="s@example.org", name="S", password="x" * 12, actor=COMMAND_LINE
        )
        session.commit()
        moderator_id, stranger_id = moderator.id, stranger.id
        voted = session.execute(
            sa.select(Response.id, Response.received_at)
            .where(Response.text.is_(None))
            .order_by(Response.id)
            .limit(4)
        ).all()
        votes = [vote_id for vote_id, _ in voted]
        received = voted[0].received_at, voted[1].received_at  # the demo's: its events' days

    response, staff = Response.__table__, StaffUser.__table__
    hour = dt.timedelta(hours=1)
    with engine.begin() as connection:

        def change(table: sa.Table, row_id: int, **values: object) -> None:
            connection.execute(
                sa.update(table)
                .where(table.c.id == row_id)
                .values({k: raw(v) for k, v in values.items()})
            )

        # answered_at missing: with the device's time before arrival, after it, and without.
        change(response, votes[0], answered_at=None, client_at=received[0] - hour)
        change(response, votes[1], answered_at=None, client_at=received[1] + hour)
        change(response, votes[2], answered_at=None)
        change(response, votes[3], wish_state="pending")  # a vote with a wish state
        change(response, ids["Ohne Status"], wish_state=None)
        change(response, ids["Ohne Text"], text=None, wish_state="approved")
        change(response, ids["Groß"], wish_state=" Approved")
        change(response, ids["Unbekannt"], wish_state="hidden")
        change(staff, moderator_id, role="Moderator")
        change(staff, stranger_id, role="root")
    return {
        "answered_from_client": votes[0],
        "answered_from_received": votes[1],
        "answered_from_received_too": votes[2],
        "vote_with_state": votes[3],
        **{name: ids[name] for name in ("Ohne Status", "Ohne Text", "Groß", "Unbekannt")},
        "moderator": moderator_id,
        "stranger": stranger_id,
    }


def repaired(rows: dict[str, dict[object, Row]], ids: dict[str, int]) -> None:
    """What migration 0016 makes of the rows that break an invariant (in place)."""
    response, staff = rows["response"], rows["staff_user"]
    client = response[ids["answered_from_client"]]
    client["answered_at"] = client["client_at"]
    for name in ("answered_from_received", "answered_from_received_too"):
        response[ids[name]]["answered_at"] = response[ids[name]]["received_at"]
    response[ids["vote_with_state"]]["wish_state"] = None
    response[ids["Ohne Status"]]["wish_state"] = "pending"
    response[ids["Ohne Text"]].update(text="", wish_state="rejected", wish_mark="redacted")
    response[ids["Groß"]]["wish_state"] = "approved"
    response[ids["Unbekannt"]]["wish_state"] = "pending"
    staff[ids["moderator"]]["role"] = "moderator"
    staff[ids["stranger"]].update(role="viewer", active=False)


def test_the_upgrade_from_0015_keeps_every_row_and_repairs_what_breaks_an_invariant(
    empty_database_url: str,
) -> None:
    config = alembic_config(empty_database_url)
    alembic_command.upgrade(config, "0015")
    engine = make_engine(empty_database_url)
    with todays_code_on(engine):
        ids = fill_as_at_0015(engine)
    before, schema_before = every_row(engine), indexes_and_triggers(engine)
    assert len(before["response"]) > 100 and before["outbox"] and before["paper_tally"]
    engine.dispose()

    alembic_command.upgrade(config, "0016")

    after = every_row(engine)
    repaired(before, ids)
    for table in before:
        assert after[table] == before[table], table
    # Indexes (the partial ones too) and the counter triggers are as they were.
    assert indexes_and_triggers(engine) == schema_before
    with Session(engine) as session:  # every row reads through the typed columns
        assert len(session.scalars(sa.select(Response)).all()) == len(after["response"])
        assert {u.role for u in session.scalars(sa.select(StaffUser))} == set(Role) - {Role.EDITOR}
    with todays_code_on(engine):
        the_counters_still_count(engine)
    engine.dispose()


def test_a_campaign_ending_before_it_starts_stops_the_upgrade_before_any_change(
    empty_database_url: str,
) -> None:
    config = alembic_config(empty_database_url)
    alembic_command.upgrade(config, "0015")
    engine = make_engine(empty_database_url)
    with todays_code_on(engine), Session(engine) as session:
        load_demo(session, sample_visits=0, actor=COMMAND_LINE, formats=False)
        session.add(Campaign(title="Verkehrt", intro={}, starts_at=MAY_1, ends_at=MAY_1))
        session.execute(sa.update(StaffUser).values(role=raw("Admin")))
        session.commit()
    engine.dispose()

    with pytest.raises(RuntimeError, match=r"ending before or as they start.*'Verkehrt'"):
        alembic_command.upgrade(config, "0016")

    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == (
            "0015"
        )
        assert connection.exec_driver_sql("SELECT role FROM staff_user").scalar() == "Admin"
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE campaign SET ends_at = NULL WHERE title = 'Verkehrt'")
    engine.dispose()
    alembic_command.upgrade(config, "0016")
    with Session(engine) as session:
        assert session.scalars(sa.select(StaffUser.role)).one() is Role.ADMIN
    engine.dispose()


def test_the_migration_goes_down_to_0015_and_up_again_keeping_the_rows(
    empty_database_url: str,
) -> None:
    config = alembic_config(empty_database_url)
    alembic_command.upgrade(config, "0016")
    engine = make_engine(empty_database_url)
    with todays_code_on(engine), Session(engine) as session:
        load_demo(session, sample_visits=10, actor=COMMAND_LINE, formats=False)
        session.commit()
    rows, schema = every_row(engine), indexes_and_triggers(engine)
    engine.dispose()

    alembic_command.downgrade(config, "0015")
    assert every_row(engine) == rows
    with engine.begin() as connection:  # the role is not checked at 0015
        connection.exec_driver_sql("UPDATE staff_user SET role = 'Admin'")
        connection.exec_driver_sql("UPDATE staff_user SET role = 'admin'")
    with todays_code_on(engine):
        the_counters_still_count(engine)
    rows = every_row(engine)
    engine.dispose()

    alembic_command.upgrade(config, "0016")
    assert every_row(engine) == rows
    assert indexes_and_triggers(engine) == schema
    engine.dispose()
