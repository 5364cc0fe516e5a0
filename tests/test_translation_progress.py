"""A campaign's translation progress counts every text, an answer added in German only too."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy.orm import Session

from kiosk.access.permissions import Role
from kiosk.models import COMMAND_LINE, Campaign, Question, QuestionKind
from kiosk.setup.content_translations import load_campaign, progress, save_translations
from kiosk.setup.questions import OptionForm, QuestionForm, save_question
from kiosk.web import db
from tests.helpers import demo, login_as, question

OTHERS = ("de-x-ls", "en", "tr", "ar", "uk", "ru")


def _add_option_in_german(session: Session, question_id: int, text: str) -> None:
    """What an editor does on the question page: a new answer, typed in German only."""
    stored = session.get_one(Question, question_id)
    rows = [
        OptionForm(id=str(o.id), de=o.texts["de"], en=o.texts.get("en", ""), emoji=o.emoji,
                   colour=o.colour, hidden=o.hidden, order=str(i + 1))
        for i, o in enumerate(stored.options)
    ]  # fmt: skip
    rows.append(OptionForm(de=text, emoji="🎨", colour="#123456", order=str(len(rows) + 1)))
    form = QuestionForm(de=stored.texts["de"], en=stored.texts.get("en", ""),
                        results_shown=stored.results_shown, options=rows)  # fmt: skip
    save_question(session, question_id, form, actor=COMMAND_LINE)


def test_an_answer_added_in_german_only_counts_as_missing_in_every_other_language(
    session: Session,
) -> None:
    campaign, _, _ = demo(session)
    single = question(campaign, QuestionKind.SINGLE)
    before = progress(load_campaign(session, campaign.id), OTHERS)
    _add_option_in_german(session, single.id, "Kunst im Park")
    session.expire_all()
    after = progress(load_campaign(session, campaign.id), OTHERS)
    for code in OTHERS:
        done, total = after[code]
        assert (done, total) == (before[code][0], before[code][1] + 1), code
        assert done < total, code  # never "complete" with an answer in German only


def test_the_campaign_and_translation_pages_show_the_new_answer_as_missing(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        campaign, _, _ = demo(session)
        single = question(campaign, QuestionKind.SINGLE)
        # Every text translated into English first, so that the page says "complete" before.
        loaded = load_campaign(session, campaign.id)
        save_translations(
            session,
            campaign.id,
            "en",
            {key: f"{key} in English" for key in _missing_keys(loaded, "en")},
            actor=COMMAND_LINE,
        )
        session.commit()
        done, total = progress(load_campaign(session, campaign.id), ("en",))["en"]
        assert done == total
    editor = login_as(app, Role.EDITOR)
    page = editor.get(f"/staff/setup/campaigns/{campaign.id}?lang=en").text
    assert _english_progress(page) == (total, total)
    with app.app_context():
        _add_option_in_german(db.session(), single.id, "Kunst im Park")
        db.session().commit()
    page = editor.get(f"/staff/setup/campaigns/{campaign.id}").text
    assert _english_progress(page) == (total, total + 1)
    translation = editor.get(f"/staff/setup/campaigns/{campaign.id}/translations/en").text
    row = translation.split("Kunst im Park")[1].split("</tr>")[0]
    assert "Not translated: shows in German." in row
    phone = app.test_client().get("/q/ehp?lang=en").text
    assert '<bdi lang="de" class="untranslated">Kunst im Park</bdi>' in phone


def _missing_keys(campaign: Campaign, code: str) -> list[str]:
    keys = ["intro"] if campaign.intro and code not in campaign.intro else []
    for q in campaign.questions:
        keys += [f"q{q.id}"] if code not in q.texts else []
        keys += [f"o{o.id}" for o in q.options if code not in o.texts]
    return keys


def _english_progress(page: str) -> tuple[int, int]:
    section = page.split('id="languages"')[1]
    english = section.split('lang="en"')[1].split("</li>")[0]
    found = re.search(r"(\d+) of (\d+) texts", english)
    assert found is not None, english
    return int(found.group(1)), int(found.group(2))


def test_a_translation_saved_with_a_typed_limit_loses_it(session: Session) -> None:
    campaign, _, _ = demo(session)
    multi = question(campaign, QuestionKind.MULTI)
    single = question(campaign, QuestionKind.SINGLE)
    save_translations(
        session,
        campaign.id,
        "tr",
        {
            f"q{multi.id}": "Burada ne eksik? (en fazla 2)",
            f"q{single.id}": "Ne önemli? (en fazla 2)",
        },
        actor=COMMAND_LINE,
    )
    assert session.get_one(Question, multi.id).texts["tr"] == "Burada ne eksik?"
    assert session.get_one(Question, single.id).texts["tr"] == "Ne önemli? (en fazla 2)"
