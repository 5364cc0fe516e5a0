"""Moderating wishes: the word filter that only flags, the queue, bulk actions, and roles."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.access.permissions import Permission, Role, allowed
from kiosk.collect.answers import Answer, record_answer
from kiosk.collect.showcase import approved_wishes
from kiosk.core.errors import InvalidSettingError
from kiosk.models import (
    COMMAND_LINE,
    AnswerCount,
    AuditEntry,
    QuestionKind,
    RejectedResponse,
    Response,
    WishState,
)
from kiosk.safety.moderation import (
    Flag,
    WishAction,
    WishList,
    flags,
    moderate,
    parse_selection,
    queue,
    wishes_by_list,
)
from kiosk.sync.configuration import shared_wishes
from kiosk.web import db
from tests.helpers import demo, login_as, pick, question

# --- The word filter flags, and only what it should ------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Schwanzflosse",  # a fish's tail fin
        "Es war schön",  # "...s war sch..." holds no bad word
        "Ein Klassiker: Fußball am Abend",
        "Scunthorpe hat auch Spielplätze",
        "Dicke Bäume und Schatten bitte",
        "Hausnummer 12, Bus 14 um 7:30",
        "Fest am 12.05.2026 wäre schön",
        "Mehr Licht am Abend 💡",
        "",
    ],
)
def test_ordinary_wishes_are_not_flagged(text: str) -> None:
    assert flags(text) == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Du Arschloch!", (Flag.ABUSE,)),
        ("what the FUUUCK", (Flag.ABUSE,)),
        ("A$$hole", (Flag.ABUSE,)),
        ("H U R E N S O H N", ()),  # spaced out: a limit of a word filter, a person sees it
        ("Ruf mich an: 0176 1234567", (Flag.PERSONAL_DATA,)),
        ("+49 176 1234567 anrufen", (Flag.PERSONAL_DATA,)),
        ("schreibt an max.muster@example.org", (Flag.PERSONAL_DATA,)),
        ("siehe www.example.org/petition", (Flag.LINK,)),
        ("Fick dich, ruf 0176 1234567 an https://x.example", tuple(Flag)),
    ],
)
def test_flagged_wishes(text: str, expected: tuple[Flag, ...]) -> None:
    assert flags(text) == expected


# --- Moderation as a domain operation ---------------------------------------------------------


def _wish(session: Session, text: str, location_id: int | None = None) -> int:
    campaign, square, _ = demo(session)
    answer = Answer(uuid.uuid4(), None, question(campaign, QuestionKind.WISH), text=text)
    record_answer(session, answer, campaign=campaign, location_id=location_id or square.id,
                  channel="qr")  # fmt: skip
    found = session.scalar(select(Response.id).where(Response.uuid == answer.uuid))
    assert found is not None
    return found


def test_bulk_moderation_touches_only_wishes(session: Session) -> None:
    campaign, square, _ = demo(session)
    first, second = _wish(session, "Bänke"), _wish(session, "Schatten")
    record_answer(session, pick(question(campaign, QuestionKind.SINGLE), 0), campaign=campaign,
                  location_id=square.id, channel="qr")  # fmt: skip
    vote = session.scalar(select(Response.id).where(Response.text.is_(None)))
    assert vote is not None
    assert (
        moderate(session, [first, second, vote, 999_999], WishAction.APPROVE, actor=COMMAND_LINE)
        == 2
    )
    assert session.scalar(select(Response.wish_state).where(Response.id == vote)) is None
    assert [w.text for w in queue(session, state=WishState.APPROVED)] == ["Schatten", "Bänke"]
    assert queue(session, state=WishState.PENDING) == []
    assert moderate(session, [first], WishAction.REOPEN, actor=COMMAND_LINE) == 1
    assert [w.id for w in queue(session, state=WishState.PENDING)] == [first]
    assert [w.id for w in queue(session, state=None, before=second)] == [first]


def test_a_wish_marked_as_personal_data_is_never_public(session: Session) -> None:
    campaign, square, _ = demo(session)
    wish = _wish(session, "Ruft Frau M. an, Tel. 0176 1234567")
    moderate(session, [wish], WishAction.APPROVE, actor=COMMAND_LINE)
    session.commit()
    assert approved_wishes(session, campaign.id, square.id) != []
    assert [w["text"] for w in shared_wishes(session)] != []
    moderate(session, [wish], WishAction.MARK_PERSONAL_DATA, actor=COMMAND_LINE)
    session.commit()
    assert approved_wishes(session, campaign.id, square.id) == []
    assert shared_wishes(session) == []  # nor on any kiosk node
    moderate(session, [wish], WishAction.UNMARK, actor=COMMAND_LINE)
    assert approved_wishes(session, campaign.id, square.id) != []


def test_a_wish_marked_as_personal_data_leaves_the_open_queue(session: Session) -> None:
    campaign, square, _ = demo(session)
    wish, other = _wish(session, "Ruft Frau M. an, Tel. 0176 1234567"), _wish(session, "Bänke")
    before = wishes_by_list(session)
    assert wish in [w.id for w in queue(session, state=WishState.PENDING)]

    assert moderate(session, [wish], WishAction.MARK_PERSONAL_DATA, actor=COMMAND_LINE) == 1
    open_ids = [w.id for w in queue(session, state=WishList.OPEN)]
    assert wish not in open_ids and other in open_ids
    assert [w.id for w in queue(session, state=WishList.MARKED)] == [wish]
    assert wish not in [w.id for w in queue(session, state=WishList.REJECTED)]
    after = wishes_by_list(session)
    assert after[WishList.OPEN] == before[WishList.OPEN] - 1
    assert after[WishList.MARKED] == before[WishList.MARKED] + 1
    assert sum(after.values()) == sum(before.values())  # each wish in exactly one list
    (listed,) = queue(session, state=None, ids=[wish])
    assert (listed.listed, listed.mark) == (WishList.MARKED, "personal_data")
    assert listed.state == "pending"  # the decision stays what it was

    # Approving it decides, but the mark still keeps it hidden and in its list.
    assert moderate(session, [wish], WishAction.APPROVE, actor=COMMAND_LINE) == 1
    assert [w.id for w in queue(session, state=WishList.MARKED)] == [wish]
    assert wish not in [w.id for w in queue(session, state=WishList.APPROVED)]
    session.commit()
    public = approved_wishes(session, campaign.id, square.id, limit=100)
    assert "Ruft Frau M. an, Tel. 0176 1234567" not in public
    assert "Ruft Frau M. an, Tel. 0176 1234567" not in [w["text"] for w in shared_wishes(session)]
    # Removing the mark brings back the decision; "back to open" drops the mark as well.
    assert moderate(session, [wish], WishAction.UNMARK, actor=COMMAND_LINE) == 1
    assert wish in [w.id for w in queue(session, state=WishList.APPROVED)]
    moderate(session, [wish], WishAction.MARK_PERSONAL_DATA, actor=COMMAND_LINE)
    assert moderate(session, [wish], WishAction.REOPEN, actor=COMMAND_LINE) == 1
    assert wish in [w.id for w in queue(session, state=WishList.OPEN)]
    assert wishes_by_list(session) == before


def test_a_marked_wish_can_still_be_redacted_and_then_is_among_the_rejected(
    session: Session,
) -> None:
    wish = _wish(session, "Meine Nummer: 0176 1234567")
    moderate(session, [wish], WishAction.MARK_PERSONAL_DATA, actor=COMMAND_LINE)
    assert moderate(session, [wish], WishAction.REDACT, actor=COMMAND_LINE) == 1
    (listed,) = queue(session, state=None, ids=[wish])
    assert (listed.text, listed.mark, listed.listed) == ("", "redacted", WishList.REJECTED)
    assert wish in [w.id for w in queue(session, state=WishList.REJECTED)]
    assert queue(session, state=WishList.MARKED, ids=[wish]) == []


@pytest.mark.parametrize("raw", [[], ["x"], ["1.5"], ["-3"], ["0"], [str(2**64)], ["1"] * 201])
def test_a_selection_that_cannot_be_read_is_refused(raw: list[str]) -> None:
    with pytest.raises(InvalidSettingError):
        parse_selection(raw)


def test_roles_grant_what_their_names_say() -> None:
    assert all(allowed(Role.ADMIN, p) for p in Permission)
    assert allowed(Role.MODERATOR, Permission.MODERATE)
    assert not allowed(Role.MODERATOR, Permission.EDIT)
    assert allowed(Role.EDITOR, Permission.EDIT)
    assert not allowed(Role.EDITOR, Permission.MODERATE)
    assert not allowed(Role.VIEWER, Permission.MODERATE)
    assert allowed(Role.VIEWER, Permission.VIEW)
    assert not allowed("staff", Permission.VIEW)  # an unknown role may do nothing


# --- Over HTTP ---------------------------------------------------------------------------------


def wishes_in_db(app: Flask, *texts: str) -> list[int]:
    with app.app_context():
        ids = [_wish(db.session(), text) for text in texts]
        db.session().commit()
    return ids


def test_moderators_approve_in_bulk_and_it_is_audited(app: Flask) -> None:
    rude, kind, phone = wishes_in_db(app, "Du Arschloch", "Mehr Bänke", "Tel 0176 1234567")
    moderator = login_as(app, Role.MODERATOR)
    page = moderator.get("/staff/wishes/")
    assert page.status_code == 200
    assert "Offen (3)" in page.text and "Mehr Bänke" in page.text
    assert page.text.count("Schimpfwort?") == 1 and "personenbezogene Daten?" in page.text

    answer = moderator.post(
        "/staff/wishes/",
        data={"action": "approve", "ids": [str(kind), str(phone)], "state": "pending"},
    )
    assert (
        answer.status_code == 303 and answer.headers["Location"] == "/staff/wishes/?state=pending"
    )
    page = moderator.get("/staff/wishes/?state=pending")
    assert "2 Wünsche geändert." in page.text and "Offen (1)" in page.text
    assert moderator.post("/staff/wishes/", data={"row": f"reject:{rude}"}).status_code == 303
    assert (
        moderator.post(
            "/staff/wishes/", data={"action": "mark_personal_data", "ids": str(phone)}
        ).status_code
        == 303
    )
    with app.app_context():
        session = db.session()
        states = dict(session.execute(select(Response.id, Response.wish_state)).all())
        assert states == {rude: "rejected", kind: "approved", phone: "approved"}
        campaign, square, _ = demo(session)
        assert approved_wishes(session, campaign.id, square.id) == ["Mehr Bänke"]
        actions = [
            (e.action, e.detail)
            for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]
        assert ("wishes-approve", {"wishes": sorted([kind, phone]), "changed": 2}) in actions
        assert ("wishes-reject", {"wishes": [rude], "changed": 1}) in actions


def test_marking_a_wish_as_personal_data_takes_it_out_of_the_open_list_on_the_page(
    app: Flask,
) -> None:
    phone, kind = wishes_in_db(app, "Tel 0176 1234567 bei Frau K.", "Mehr Bänke")
    moderator = login_as(app, Role.MODERATOR)
    page = moderator.get("/staff/wishes/?lang=en").text
    opened = int(page.split("Open (")[1].split(")")[0])
    assert "Tel 0176 1234567 bei Frau K." in page
    done = moderator.post(
        "/staff/wishes/", data={"row": f"mark_personal_data:{phone}", "state": "pending"}
    )
    assert done.status_code == 303
    page = moderator.get("/staff/wishes/?state=pending").text
    assert f"Open ({opened - 1})" in page and "Personal data (1)" in page
    assert "Tel 0176 1234567 bei Frau K." not in page and "Mehr Bänke" in page
    marked = moderator.get("/staff/wishes/?state=marked").text
    assert "Tel 0176 1234567 bei Frau K." in marked and "marked: personal data" in marked
    assert "without the mark: Open" in marked
    assert f'value="unmark:{phone}"' in marked and f'value="approve:{phone}"' not in marked
    assert "Tel 0176 1234567" not in app.test_client().get("/wall/ehp").text
    assert moderator.post("/staff/wishes/", data={"row": f"unmark:{phone}"}).status_code == 303
    assert f"Open ({opened})" in moderator.get("/staff/wishes/").text
    with app.app_context():
        assert db.session().get(Response, kind).wish_state == "pending"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "data",
    [
        {"action": "delete", "ids": "1"},  # nothing is ever deleted
        {"action": "approve"},  # nothing ticked
        {"action": "approve", "ids": "one"},
        {"action": "approve", "ids": [str(n) for n in range(1, 300)]},
        {"row": "approve"},
        {"row": "approve:"},
        {"row": "approve:x" * 1000},
        {"row": ":1"},
    ],
)
def test_a_bad_moderation_request_is_refused_readably(app: Flask, data: dict[str, object]) -> None:
    (wish,) = wishes_in_db(app, "Mehr Bänke")
    admin = login_as(app, Role.ADMIN)
    answer = admin.post("/staff/wishes/", data=data)
    assert answer.status_code == 422
    assert "<h1" in answer.text
    with app.app_context():
        assert db.session().get(Response, wish).wish_state == "pending"  # type: ignore[union-attr]


def test_a_bad_state_filter_is_a_4xx_and_paging_works(app: Flask) -> None:
    wishes_in_db(app, *[f"Wunsch {n}" for n in range(55)])
    moderator = login_as(app, Role.MODERATOR)
    assert moderator.get("/staff/wishes/?state=deleted").status_code == 422
    first = moderator.get("/staff/wishes/").text
    assert "Wunsch 54" in first and "Wunsch 4<" not in first and "Ältere Wünsche" in first
    older = first.split('href="/staff/wishes/?state=pending&amp;before=')[1].split('"')[0]
    rest = moderator.get(f"/staff/wishes/?state=pending&before={older}").text
    assert "Wunsch 4<" in rest and "Wunsch 54" not in rest and "Ältere Wünsche" not in rest
    assert moderator.get("/staff/wishes/?before=abc").status_code == 200  # read as no paging


def test_each_role_sees_and_does_only_its_part(app: Flask) -> None:
    (wish,) = wishes_in_db(app, "Mehr Bänke")
    with app.app_context():
        campaign = demo(db.session())[0]
        single, campaign_id = question(campaign, QuestionKind.SINGLE).id, campaign.id
    setting = f"/staff/question/{single}/results-shown"
    viewer, moderator, editor = (
        login_as(app, r) for r in (Role.VIEWER, Role.MODERATOR, Role.EDITOR)
    )

    assert viewer.get("/staff/").status_code == 200  # everyone reads results
    assert "/staff/wishes/" not in viewer.get("/staff/").text  # no link it could not follow
    assert viewer.get("/staff/wishes/").status_code == 403
    assert viewer.post("/staff/wishes/", data={"row": f"approve:{wish}"}).status_code == 403
    assert viewer.post(setting, data={"results_shown": "after_close"}).status_code == 403
    assert setting not in viewer.get(f"/staff/campaign/{campaign_id}").text  # no form to fail
    assert setting in editor.get(f"/staff/campaign/{campaign_id}").text
    assert viewer.post("/staff/kiosks/", data={"name": "K", "location": "1"}).status_code == 403
    for reader in (viewer, moderator):  # the kiosks page is for those who set them up
        assert reader.get("/staff/kiosks/").status_code == 403
        assert "/staff/kiosks/" not in reader.get("/staff/").text  # and no link to it

    assert moderator.post(setting, data={"results_shown": "after_close"}).status_code == 403
    assert moderator.post("/staff/kiosks/", data={"name": "K", "location": "1"}).status_code == 403
    assert editor.get("/staff/wishes/").status_code == 403
    assert editor.post(setting, data={"results_shown": "after_close"}).status_code == 303
    forbidden = viewer.get("/staff/wishes/")
    assert "Ihre Rolle erlaubt das nicht" in forbidden.text

    anonymous = app.test_client().get("/staff/wishes/")
    assert anonymous.status_code == 302 and "/staff/login" in anonymous.headers["Location"]
    with app.app_context():
        assert db.session().get(Response, wish).wish_state == "pending"  # type: ignore[union-attr]


def test_a_redacted_wish_loses_its_text_for_good_and_still_counts(session: Session) -> None:
    phone, kind = _wish(session, "Ruf mich an: 0176 1234567"), _wish(session, "Mehr Bänke")
    session.commit()
    counted_before = session.scalar(select(func.sum(AnswerCount.count)))
    assert moderate(session, [phone], WishAction.APPROVE, actor=COMMAND_LINE) == 1
    assert moderate(session, [phone], WishAction.REDACT, actor=COMMAND_LINE) == 1
    session.commit()
    redacted = session.get(Response, phone)
    assert redacted is not None
    assert (redacted.text, redacted.wish_state, redacted.wish_mark) == ("", "rejected", "redacted")
    assert session.scalar(select(func.sum(AnswerCount.count))) == counted_before
    # Nothing brings it back or shows it again, and a second redaction changes nothing.
    for action in WishAction:
        assert moderate(session, [phone], action, actor=COMMAND_LINE) == 0
    session.commit()
    assert session.get(Response, phone).wish_state == "rejected"  # type: ignore[union-attr]
    campaign, _, _ = demo(session)
    assert approved_wishes(session, campaign.id, None, limit=10) == []  # not the redacted one
    assert session.get(Response, kind).text == "Mehr Bänke"  # type: ignore[union-attr]


def test_redaction_blanks_a_copy_kept_aside(session: Session) -> None:
    wish = _wish(session, "Meine Adresse: Hauptstraße 5")
    answer = session.get(Response, wish)
    assert answer is not None
    session.add(
        RejectedResponse(
            uuid=str(answer.uuid),
            reason="conflict",
            payload={"uuid": str(answer.uuid), "text": "Meine Adresse: Hauptstraße 5"},
        )
    )
    session.commit()
    moderate(session, [wish], WishAction.REDACT, actor=COMMAND_LINE)
    session.commit()
    kept = session.scalars(select(RejectedResponse)).one()
    assert kept.payload == {"uuid": str(answer.uuid), "text": ""}


def test_moderators_redact_after_confirming_and_it_is_audited(app: Flask) -> None:
    phone, _ = wishes_in_db(app, "Ruf an: 0176 1234567", "Mehr Bänke")
    moderator = login_as(app, Role.MODERATOR)
    asked = moderator.post(
        "/staff/wishes/", data={"action": "redact", "ids": [str(phone)], "state": "pending"}
    )
    assert asked.status_code == 200 and "für immer" in asked.text and "0176 1234567" in asked.text
    with app.app_context():
        assert db.session().get(Response, phone).text != ""  # type: ignore[union-attr]
    done = moderator.post(
        "/staff/wishes/",
        data={"action": "redact", "ids": [str(phone)], "state": "pending", "confirmed": "yes"},
    )
    assert done.status_code == 303
    queue_page = moderator.get("/staff/wishes/?state=all").text
    assert "Text von 1 Wunsch entfernt; er steht jetzt bei den abgelehnten" in queue_page
    assert "0176 1234567" not in queue_page  # (a bare "0176" may stand in a time or an id)
    assert "Text entfernt" in queue_page and "Mehr Bänke" in queue_page
    with app.app_context():
        session = db.session()
        assert session.get(Response, phone).text == ""  # type: ignore[union-attr]
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None and entry.action == "wishes-redact"
    # Asking again for a wish already redacted: nothing left to remove.
    again = moderator.post("/staff/wishes/", data={"action": "redact", "ids": [str(phone)]})
    assert again.status_code == 200 and "bereits entfernt" in again.text


def test_a_viewer_cannot_redact(app: Flask) -> None:
    (wish,) = wishes_in_db(app, "Ruf an: 0176 1234567")
    viewer = login_as(app, Role.VIEWER)
    refused = viewer.post(
        "/staff/wishes/", data={"action": "redact", "ids": [str(wish)], "confirmed": "yes"}
    )
    assert refused.status_code == 403
    with app.app_context():
        assert db.session().get(Response, wish).text == "Ruf an: 0176 1234567"  # type: ignore[union-attr]
