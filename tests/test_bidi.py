"""Right-to-left controls in saved texts are closed, so a name cannot turn the text after it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from kiosk.bidi import PDF, PDI, balance_bidi
from kiosk.models import Area, Question

RLO, LRE, RLI, FSI = "\u202e", "\u202a", "\u2067", "\u2068"


@pytest.mark.parametrize(
    ("text", "closed"),
    [
        ("Jena Nord", "Jena Nord"),
        (f"{RLO}gnp.exe", f"{RLO}gnp.exe{PDF}"),
        (f"{RLO}a{PDF}b", f"{RLO}a{PDF}b"),  # closed already: unchanged
        (f"{RLI}a{LRE}b", f"{RLI}a{LRE}b{PDF}{PDI}"),  # innermost first
        (f"{FSI}a{RLO}b{PDI}c", f"{FSI}a{RLO}b{PDI}c"),  # a PDI closes what it holds
        (f"a{PDF}{PDI}b", f"a{PDF}{PDI}b"),  # stray closers: left alone
        ("سوق الحيّ ‏Markt", "سوق الحيّ ‏Markt"),  # plain Arabic and marks: no controls
    ],
)
def test_what_a_text_opens_it_closes(text: str, closed: str) -> None:
    assert balance_bidi(text) == closed


@given(st.text(st.sampled_from([*"ab ", RLO, LRE, RLI, FSI, PDF, PDI]), max_size=30))
def test_balancing_is_idempotent_and_only_appends(text: str) -> None:
    once = balance_bidi(text)
    assert once.startswith(text) and balance_bidi(once) == once


def test_every_text_saved_is_balanced(session: Session) -> None:
    area = Area(name=f"{RLO}gnp.exe")
    session.add(area)
    session.flush()
    assert area.name == f"{RLO}gnp.exe{PDF}"
    question = session.query(Question).first()
    assert question is not None
    question.texts = {"de": f"Was ist Ihnen in {RLO}Nord wichtig?", "en": "Fine"}
    session.flush()
    assert question.texts == {"de": f"Was ist Ihnen in {RLO}Nord wichtig?{PDF}", "en": "Fine"}
