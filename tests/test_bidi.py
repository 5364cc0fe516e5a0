"""Right-to-left controls left open in saved texts are taken out: a name cannot turn the text
after it, and a text never grows past its column."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from kiosk.core.bidi import PDF, PDI, balance_bidi
from kiosk.models import Area, Question, RejectedResponse

RLO, LRE, RLI, FSI = "\u202e", "\u202a", "\u2067", "\u2068"


@pytest.mark.parametrize(
    ("text", "closed"),
    [
        ("Jena Nord", "Jena Nord"),
        (f"{RLO}gnp.exe", "gnp.exe"),
        (f"{RLO}a{PDF}b", f"{RLO}a{PDF}b"),  # closed: kept
        (f"{RLI}a{LRE}b", "ab"),
        (f"x{RLO}a{PDF}{RLO}b", f"x{RLO}a{PDF}b"),  # only the open one goes
        (f"{FSI}a{RLO}b{PDI}c", f"{FSI}a{RLO}b{PDI}c"),  # a PDI closes what it holds
        (f"a{PDF}{PDI}b", f"a{PDF}{PDI}b"),  # stray closers: left alone
        ("سوق الحيّ ‏Markt", "سوق الحيّ ‏Markt"),  # Arabic and marks: no controls
    ],
)
def test_what_a_text_leaves_open_goes(text: str, closed: str) -> None:
    assert balance_bidi(text) == closed


@given(st.text(st.sampled_from([*"ab ", RLO, LRE, RLI, FSI, PDF, PDI]), max_size=30))
def test_balancing_is_idempotent_and_never_lengthens(text: str) -> None:
    once = balance_bidi(text)
    assert len(once) <= len(text) and balance_bidi(once) == once


def test_every_text_saved_is_balanced(session: Session) -> None:
    area = Area(name=f"{RLO}gnp.exe")
    session.add(area)
    session.flush()
    assert area.name == "gnp.exe"
    question = session.query(Question).first()
    assert question is not None
    question.texts = {"de": f"Was ist Ihnen in {RLO}Nord wichtig?", "en": "Fine"}
    session.flush()
    assert question.texts == {"de": "Was ist Ihnen in Nord wichtig?", "en": "Fine"}


def test_a_name_at_its_longest_still_fits(session: Session) -> None:
    """Found in review: closing characters appended made a 200-character name 201 long."""
    area = Area(name=RLO + "x" * 199)
    session.add(area)
    session.flush()
    assert area.name == "x" * 199


def test_what_central_keeps_aside_stays_verbatim(session: Session) -> None:
    kept = RejectedResponse(uuid=f"{RLO}abc", reason="rejected", payload={"text": f"{RLO}x"})
    session.add(kept)
    session.flush()
    assert (kept.uuid, kept.payload) == (f"{RLO}abc", {"text": f"{RLO}x"})
