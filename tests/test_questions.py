"""Editing questions and options: texts, pictograms, order, hiding; answers stay valid."""

from __future__ import annotations

import re
import uuid

import pytest
from alembic import command as alembic_command
from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kiosk.access.permissions import Role
from kiosk.cli import alembic_config
from kiosk.collect.answers import record_answer
from kiosk.collect.catalog import load_catalog
from kiosk.core.errors import FormError, NotFoundError
from kiosk.models import COMMAND_LINE, CatalogRevision, Option, Question, QuestionKind
from kiosk.models.engine import make_engine
from kiosk.results.tallies import load_scope, tally
from kiosk.setup.campaign_templates import TEMPLATES
from kiosk.setup.demo import load_demo
from kiosk.setup.questions import (
    OptionForm,
    QuestionForm,
    add_question,
    move_question,
    save_question,
    typed_limits,
)
from kiosk.web import db
from tests.helpers import demo, login_as, pick, question, todays_code_on


def rows_of(q: Question) -> list[OptionForm]:
    return [
        OptionForm(
            id=str(o.id),
            de=o.texts["de"],
            en=o.texts.get("en", ""),
            emoji=o.emoji,
            colour=o.colour,
            hidden=o.hidden,
            order=str(i + 1),
        )
        for i, o in enumerate(q.options)
    ]


def test_an_answered_question_gets_a_new_option_and_hides_one(session: Session) -> None:
    campaign, square, _ = demo(session)
    single = question(campaign, QuestionKind.SINGLE)
    record_answer(session, pick(single, 5), campaign=campaign, location_id=square.id,
                  channel="qr")  # fmt: skip
    stored = session.get_one(Question, single.id)
    rows = rows_of(stored)
    rows[5] = OptionForm(**{**rows[5].__dict__, "hidden": True})  # "Wasser": answered, hidden
    rows[0] = OptionForm(**{**rows[0].__dict__, "order": "9"})  # to the end
    rows.append(OptionForm(de="Kunst", emoji="🎨", colour="#123456", order="2"))
    save_question(session, single.id, QuestionForm(de="Was zählt?", en="What counts?",
                                                   options=rows), actor=COMMAND_LINE)  # fmt: skip
    session.commit()
    snapshot = load_catalog(session).campaigns[campaign.id].question_by_id[single.id]
    assert (snapshot.texts["de"], snapshot.texts["en"]) == ("Was zählt?", "What counts?")
    assert [o.texts["de"] for o in snapshot.options][:2] == ["Spielen und Sport", "Kunst"]
    assert snapshot.options[-1].texts["de"] == "Grün und Schatten"
    assert "Wasser" not in [o.texts["de"] for o in snapshot.visible_options]
    (place,) = tally(session, load_scope(session, "location", square.id))
    counted = {o.option.texts["de"]: o.total for o in place.questions[0].options}
    assert counted["Wasser"] == 1  # the answer still counts, under its hidden option


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"de": "  "}, {"de"}),
        ({"de": "x" * 301}, {"de"}),
        ({"results_shown": "never"}, {"results_shown"}),
        ({"hide_all_but_one": True}, {"options"}),
        ({"row": {"de": ""}}, {"o0-de"}),
        ({"row": {"emoji": "<b>"}}, {"o0-emoji"}),
        ({"row": {"colour": "red"}}, {"o0-colour"}),
        ({"row": {"order": "x"}}, {"o0-order"}),
    ],
)
def test_a_bad_question_form_is_refused_per_field(
    session: Session, change: dict[str, object], fields: set[str]
) -> None:
    campaign, _, _ = demo(session)
    single = question(campaign, QuestionKind.SINGLE)
    stored = session.get_one(Question, single.id)
    rows = rows_of(stored)
    if "row" in change:
        rows[0] = OptionForm(**{**rows[0].__dict__, **change["row"]})  # type: ignore[dict-item]
    if change.get("hide_all_but_one"):
        rows = [OptionForm(**{**r.__dict__, "hidden": i > 0}) for i, r in enumerate(rows)]
    sent = {"de": "Frage", "results_shown": "live"}
    sent.update({k: v for k, v in change.items() if isinstance(v, str)})
    with pytest.raises(FormError) as error:
        save_question(session, single.id, QuestionForm(options=rows, **sent), actor=COMMAND_LINE)
    assert set(error.value.fields) == fields
    session.rollback()
    assert session.get_one(Question, single.id).texts["de"] == single.texts["de"]


def test_a_scale_keeps_its_points_and_options_belong_to_their_question(session: Session) -> None:
    campaign, _, _ = demo(session)
    scale, single = question(campaign, QuestionKind.SCALE), question(campaign, QuestionKind.SINGLE)
    rows = [*rows_of(session.get_one(Question, scale.id)), OptionForm(de="Super", emoji="😎")]
    with pytest.raises(FormError):
        save_question(
            session, scale.id, QuestionForm(de="Wie gern?", options=rows), actor=COMMAND_LINE
        )
    stranger = OptionForm(id=str(single.options[0].id), de="fremd")
    with pytest.raises(NotFoundError):
        save_question(
            session, scale.id, QuestionForm(de="Wie gern?", options=[stranger]), actor=COMMAND_LINE
        )


def test_questions_are_added_and_moved(session: Session) -> None:
    campaign, _, _ = demo(session)
    rows = [OptionForm(de="Ja", emoji="👍"), OptionForm(de="Nein", emoji="👎"), OptionForm()]
    made = add_question(
        session, campaign.id, kind="single", de="Mehr Bänke?", options=rows, actor=COMMAND_LINE
    )
    assert made.position == 5 and [o.texts["de"] for o in made.options] == ["Ja", "Nein"]
    move_question(session, made.id, -1, actor=COMMAND_LINE)
    move_question(session, made.id, -1, actor=COMMAND_LINE)
    session.commit()
    order = session.scalars(
        select(Question.texts)
        .where(Question.campaign_id == campaign.id)
        .order_by(Question.position)
    ).all()
    assert order[3]["de"] == "Mehr Bänke?" and len(order) == 6
    with pytest.raises(FormError) as error:
        add_question(
            session, campaign.id, kind="riddle", de="", options=rows[:1], actor=COMMAND_LINE
        )
    assert set(error.value.fields) == {"kind", "de", "options"}
    wish = add_question(
        session, campaign.id, kind="wish", de="Noch etwas?", options=[], actor=COMMAND_LINE
    )
    assert wish.options == []


def test_editors_edit_a_question_in_the_browser_form(app: Flask) -> None:
    with app.app_context():
        single = question(demo(db.session())[0], QuestionKind.SINGLE)
        options = db.session().scalar(select(func.count()).select_from(Option))
    editor = login_as(app, Role.EDITOR)
    page = editor.get(f"/staff/setup/questions/{single.id}")
    assert page.status_code == 200 and "Grün und Schatten" in page.text
    data = {"de": "Was zählt?", "results_shown": "live"}
    for i, option in enumerate(single.options):
        data |= {f"o{i}-id": str(option.id), f"o{i}-de": option.texts["de"],
                 f"o{i}-emoji": option.emoji, f"o{i}-colour": option.colour,
                 f"o{i}-order": str(i + 1)}  # fmt: skip
    bad = editor.post(f"/staff/setup/questions/{single.id}", data={**data, "o0-de": ""})
    assert bad.status_code == 422 and "Bitte geben Sie einen Text an" in bad.text
    new = {"o6-de": "Kunst", "o6-emoji": "🎨", "o6-colour": "#123456", "o6-order": "7"}
    assert editor.post(f"/staff/setup/questions/{single.id}", data=data | new).status_code == 303
    assert "Kunst" in app.test_client().get("/q/ehp").text
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Option)) == options + 1
    added = editor.post(
        f"/staff/setup/campaigns/{single.campaign_id}/questions",
        data={"kind": "single", "de": "Ja oder nein?", "n0-de": "Ja", "n1-de": "Nein"},
    )
    assert added.status_code == 422 and "Jede Antwort braucht ein Piktogramm" in added.text
    added = editor.post(
        f"/staff/setup/campaigns/{single.campaign_id}/questions",
        data={"kind": "single", "de": "Ja oder nein?", "n0-de": "Ja", "n1-de": "Nein"}
        | {"n0-emoji": "👍", "n1-emoji": "👎"},
    )
    assert added.status_code == 303
    no_picture = editor.post(f"/staff/setup/questions/{single.id}", data={**data, "o0-emoji": ""})
    assert (
        no_picture.status_code == 422 and "Jede Antwort braucht ein Piktogramm" in no_picture.text
    )
    refused = editor.post(
        f"/staff/setup/campaigns/{single.campaign_id}/questions", data={"kind": "single", "de": "?"}
    )
    assert refused.status_code == 422 and "zwei Antworten" in refused.text
    assert login_as(app, Role.VIEWER).get(f"/staff/setup/questions/{single.id}").status_code == 403
    assert editor.get("/staff/setup/questions/999999").status_code == 404


def _with(rows: list[OptionForm], index: int, **change: object) -> list[OptionForm]:
    changed = list(rows)
    changed[index] = OptionForm(**{**rows[index].__dict__, **change})  # type: ignore[arg-type]
    return changed


def test_options_are_deleted_until_the_first_answer_then_only_hidden(session: Session) -> None:
    campaign, square, _ = demo(session)
    single = question(campaign, QuestionKind.SINGLE)
    rows = rows_of(session.get_one(Question, single.id))
    saved = save_question(session, single.id, QuestionForm(
        de="Neu", options=_with(rows, 0, delete=True)), actor=COMMAND_LINE)  # fmt: skip
    session.commit()
    assert saved.options[0].texts["de"] == "Spielen und Sport"
    assert [o.position for o in saved.options] == [0, 1, 2, 3, 4]
    assert "Grün und Schatten" not in [o.texts["de"] for o in saved.options]

    # Once answers come in, a picked option says how often; an unpicked one is hidden instead.
    answered = load_catalog(session).campaigns[campaign.id].question_by_id[single.id]
    record_answer(session, pick(answered, 4), campaign=campaign, location_id=square.id,
                  channel="qr")  # fmt: skip
    session.commit()
    rows = rows_of(session.get_one(Question, single.id))
    assert rows[4].de == "Wasser"
    with pytest.raises(FormError) as error:
        form = QuestionForm(de="Neuer", options=_with(_with(rows, 4, delete=True), 0, delete=True))
        save_question(session, single.id, form, actor=COMMAND_LINE)
    assert set(error.value.fields) == {"o0-delete", "o4-delete"}
    assert error.value.fields["o4-delete"] == (
        "Already chosen (%(count)d), so it stays: hide it instead.", {"count": 1})  # fmt: skip
    assert "Answers are coming in" in error.value.fields["o0-delete"][0]
    session.rollback()
    stored = session.get_one(Question, single.id)
    assert len(stored.options) == 5 and stored.texts["de"] == "Neu"  # nothing saved


def test_a_scale_point_and_the_last_options_are_not_deleted(session: Session) -> None:
    campaign, _, _ = demo(session)
    scale = question(campaign, QuestionKind.SCALE)
    rows = rows_of(session.get_one(Question, scale.id))
    with pytest.raises(FormError) as error:
        save_question(
            session,
            scale.id,
            QuestionForm(de="Wie?", options=_with(rows, 0, delete=True)),
            actor=COMMAND_LINE,
        )
    assert set(error.value.fields) == {"o0-delete"}
    session.rollback()
    single = question(campaign, QuestionKind.SINGLE)
    rows = rows_of(session.get_one(Question, single.id))
    doomed = [OptionForm(**{**r.__dict__, "delete": i > 0}) for i, r in enumerate(rows)]
    with pytest.raises(FormError) as error:
        save_question(session, single.id, QuestionForm(de="?", options=doomed), actor=COMMAND_LINE)
    assert set(error.value.fields) == {"options"}  # two answers at least


def test_an_answer_given_while_deleting_keeps_its_option(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign, square, _ = demo(session)
    single = question(campaign, QuestionKind.SINGLE)
    record_answer(session, pick(single, 0), campaign=campaign, location_id=square.id,
                  channel="qr")  # fmt: skip
    session.commit()
    # As if the answer came in between the checks and the delete: the database refuses.
    monkeypatch.setattr("kiosk.setup.questions.option_uses", lambda _session, _id: {})
    monkeypatch.setattr("kiosk.setup.questions.campaign_answered", lambda _session, _id: False)
    rows = rows_of(session.get_one(Question, single.id))
    with pytest.raises(FormError) as error:
        save_question(
            session,
            single.id,
            QuestionForm(de="?", options=_with(rows, 0, delete=True)),
            actor=COMMAND_LINE,
        )
    assert set(error.value.fields) == {"options"}
    session.rollback()
    assert len(session.get_one(Question, single.id).options) == 6


def test_one_demographic_question_per_campaign(session: Session) -> None:
    campaign, _, _ = demo(session)
    matters, age = (
        question(campaign, QuestionKind.SINGLE),
        question(campaign, QuestionKind.SINGLE, 1),
    )
    assert session.get_one(Question, age.id).demographic  # from the template
    stored = session.get_one(Question, matters.id)
    form = QuestionForm(de="Was?", demographic=True, options=rows_of(stored))
    save_question(session, matters.id, form, actor=COMMAND_LINE)
    session.commit()
    flags = {i: bool(d) for i, d in session.execute(select(Question.id, Question.demographic))}
    assert flags[matters.id] and not flags[age.id] and sum(flags.values()) == 1
    multi = question(campaign, QuestionKind.MULTI)
    stored = session.get_one(Question, multi.id)
    with pytest.raises(FormError) as error:
        form = QuestionForm(de="?", max_choices="2", demographic=True, options=rows_of(stored))
        save_question(session, multi.id, form, actor=COMMAND_LINE)
    assert set(error.value.fields) == {"demographic"}


def test_the_form_deletes_and_marks_the_demographic_question(app: Flask) -> None:
    with app.app_context():
        single = question(demo(db.session())[0], QuestionKind.SINGLE)
    editor = login_as(app, Role.EDITOR)
    page = editor.get(f"/staff/setup/questions/{single.id}").text
    assert 'name="o0-delete"' in page and 'name="o5-delete"' in page  # no answers yet
    data = {"de": "Was zählt?", "results_shown": "live", "demographic": "yes"}
    for i, option in enumerate(single.options):
        data |= {f"o{i}-id": str(option.id), f"o{i}-de": option.texts["de"],
                 f"o{i}-emoji": option.emoji, f"o{i}-colour": option.colour}  # fmt: skip
    done = editor.post(f"/staff/setup/questions/{single.id}", data=data | {"o0-delete": "yes"})
    assert done.status_code == 303
    assert "Grün und Schatten" not in app.test_client().get("/q/ehp").text
    campaign_page = editor.get(f"/staff/setup/campaigns/{single.campaign_id}").text
    assert campaign_page.count("Ergebnisse werden danach verglichen") == 1

    with app.app_context():
        session = db.session()
        campaign, square, _ = demo(session)
        answered = question(campaign, QuestionKind.SINGLE)
        record_answer(session, pick(answered, 1), campaign=campaign, location_id=square.id,
                      channel="qr")  # fmt: skip
        session.commit()
    page = editor.get(f"/staff/setup/questions/{single.id}").text
    assert "1-mal gewählt" in page and 'name="o0-delete"' not in page  # no delete boxes now
    data = {"de": "Was zählt?", "results_shown": "live"}
    for i, option in enumerate(answered.options):
        data |= {f"o{i}-id": str(option.id), f"o{i}-de": option.texts["de"],
                 f"o{i}-emoji": option.emoji, f"o{i}-colour": option.colour}  # fmt: skip
    refused = editor.post(f"/staff/setup/questions/{single.id}", data=data | {"o1-delete": "yes"})
    assert refused.status_code == 422 and "Schon gewählt (1)" in refused.text
    multi = question(campaign, QuestionKind.MULTI)
    wrong = editor.post(f"/staff/setup/questions/{multi.id}",
                        data={"de": "?", "max_choices": "2", "demographic": "yes"})  # fmt: skip
    assert wrong.status_code == 422 and "Nur eine Frage, bei der man genau eine" in wrong.text


def test_a_wish_question_saves_without_a_results_setting(session: Session) -> None:
    """Its editor shows no "results shown" choice (a wish has no results), so none is sent."""
    campaign, _, _ = demo(session)
    wish = question(campaign, QuestionKind.WISH)
    saved = save_question(
        session,
        wish.id,
        QuestionForm(de="Was wünschen Sie sich?", en="", results_shown=""),
        actor=COMMAND_LINE,
    )
    assert saved.texts["de"] == "Was wünschen Sie sich?"
    single = session.get(Question, question(campaign, QuestionKind.SINGLE).id)
    assert single is not None
    with pytest.raises(FormError) as refused:  # a choice question still needs one
        form = QuestionForm(de="Frage", results_shown="", options=rows_of(single))
        save_question(session, single.id, form, actor=COMMAND_LINE)
    assert set(refused.value.fields) == {"results_shown"}


# --- How many answers a multiple choice takes: said from the setting, never typed ------------


def _choice_limit(page: str) -> str:
    """The limit said after the question's title on a kiosk or phone screen ("" if none)."""
    title = re.search(r'<h1 id="question-title"[^>]*>(.*?)</h1>', page, re.DOTALL)
    assert title is not None
    found = re.search(r'<span class="choice-limit">(.*?)</span>', title.group(1), re.DOTALL)
    return found.group(1).strip() if found else ""


def _set_limit(app: Flask, question_id: int, limit: int) -> None:
    with app.app_context():
        session = db.session()
        stored = session.get_one(Question, question_id)
        form = QuestionForm(de=stored.texts["de"], en=stored.texts.get("en", ""),
                            results_shown=stored.results_shown, max_choices=str(limit),
                            options=rows_of(stored))  # fmt: skip
        save_question(session, question_id, form, actor=COMMAND_LINE)
        session.commit()


def test_the_choice_limit_follows_the_setting_in_every_language(app: Flask) -> None:
    with app.app_context():
        campaign = demo(db.session())[0]
    multi = question(campaign, QuestionKind.MULTI)
    step = campaign.questions.index(multi)
    offered = len([o for o in multi.options if not o.hidden])
    languages = app.config["LANGUAGES"]
    assert len(languages) == 7

    def limits() -> dict[str, str]:
        said = {}
        for prefix in ("q", "k"):
            for code in languages:
                client = app.test_client()
                page = client.get(f"/{prefix}/ehp/s/{step}?visit={uuid.uuid4()}&lang={code}")
                assert page.status_code == 200
                said[f"{prefix}-{code}"] = _choice_limit(page.text)
        return said

    _set_limit(app, multi.id, 3)
    said = limits()
    assert said["q-en"] == said["k-en"] == "(up to 3 answers)"
    assert all(re.search(r"\b3\b", text) for text in said.values()), said
    _set_limit(app, multi.id, 2)  # the coordinator's change: the screens follow, every language
    said = limits()
    assert said["q-en"] == "(up to 2 answers)"
    assert all(re.search(r"\b2\b", text) and "3" not in text for text in said.values()), said
    _set_limit(app, multi.id, offered)  # no limit that counts: no number to say
    said = limits()
    assert said["q-en"] == "(several answers possible)"
    assert all(text and not re.search(r"\d", text) for text in said.values()), said
    # Only a multiple choice says a limit.
    single_page = app.test_client().get(f"/q/ehp/s/0?visit={uuid.uuid4()}&lang=en").text
    assert _choice_limit(single_page) == ""


def test_a_limit_typed_into_the_text_is_taken_out_when_saving(session: Session) -> None:
    campaign, _, _ = demo(session)
    multi = question(campaign, QuestionKind.MULTI)
    stored = session.get_one(Question, multi.id)
    stored.texts = {  # as a campaign made from the earlier templates has them
        "de": "Was fehlt hier? (bis zu 2)",
        "de-x-ls": "Was fehlt hier? (bis zu 2 Antworten)",
        "en": "What is missing here? (up to 2)",
        "tr": "Burada ne eksik? (en fazla 2)",
        "ar": "ما الذي ينقص هنا؟ (حتى 2)",
        "ru": "Чего здесь не хватает? (до 2 ответов)",
        "uk": "Чого тут бракує? (до 2)",
    }
    session.flush()
    assert typed_limits(stored) == {
        "de": "(bis zu 2)", "de-x-ls": "(bis zu 2 Antworten)", "en": "(up to 2)",
        "tr": "(en fazla 2)", "ar": "(حتى 2)", "ru": "(до 2 ответов)", "uk": "(до 2)",
    }  # fmt: skip
    form = QuestionForm(de="Was fehlt hier? (bis zu 2)", en="What is missing here? (up to 2)",
                        max_choices="3", options=rows_of(stored))  # fmt: skip
    saved = save_question(session, multi.id, form, actor=COMMAND_LINE)
    assert saved.texts == {
        "de": "Was fehlt hier?", "de-x-ls": "Was fehlt hier?", "en": "What is missing here?",
        "tr": "Burada ne eksik?", "ar": "ما الذي ينقص هنا؟", "ru": "Чего здесь не хватает?",
        "uk": "Чого тут бракує?",
    }  # fmt: skip
    assert saved.max_choices == 3 and typed_limits(saved) == {}
    # A text that only looks alike stays as it is, and so does any other kind of question.
    kept = QuestionForm(de="Wer kommt (bis 12 Jahre) am Abend?", max_choices="3",
                        options=rows_of(saved))  # fmt: skip
    assert save_question(session, multi.id, kept, actor=COMMAND_LINE).texts["de"] == kept.de
    single = question(campaign, QuestionKind.SINGLE)
    form = QuestionForm(de="Was zählt? (bis zu 2)", results_shown="live",
                        options=rows_of(session.get_one(Question, single.id)))  # fmt: skip
    assert save_question(session, single.id, form, actor=COMMAND_LINE).texts["de"] == form.de


def test_a_new_multiple_choice_takes_its_limit_from_a_typed_one(session: Session) -> None:
    campaign, _, _ = demo(session)
    options = [OptionForm(de=name, emoji=emoji) for name, emoji in
               [("Bänke", "🪑"), ("Bäume", "🌳"), ("Licht", "💡"), ("Wasser", "💧")]]  # fmt: skip
    added = add_question(session, campaign.id, kind="multi", de="Was brauchst du? (bis zu 2)",
                         options=options, actor=COMMAND_LINE)  # fmt: skip
    assert (added.texts, added.max_choices) == ({"de": "Was brauchst du?"}, 2)
    plain = add_question(session, campaign.id, kind="multi", de="Was noch?",
                         options=options, actor=COMMAND_LINE)  # fmt: skip
    assert (plain.texts, plain.max_choices) == ({"de": "Was noch?"}, 3)


def test_no_template_types_a_limit_into_a_question(app: Flask) -> None:
    with app.app_context():
        for template in TEMPLATES.values():
            for built in template.build_questions("Jena Nord"):
                assert typed_limits(built) == {}, (template.key, built.texts)
                if built.kind == QuestionKind.MULTI:
                    assert built.max_choices


def test_the_question_page_says_where_the_limit_comes_from_and_warns_of_a_typed_one(
    app: Flask,
) -> None:
    with app.app_context():
        session = db.session()
        multi = question(demo(session)[0], QuestionKind.MULTI)
        stored = session.get_one(Question, multi.id)
        stored.texts = {**stored.texts, "de": "Was fehlt hier? (bis zu 2)"}
        session.commit()
    editor = login_as(app, Role.EDITOR)
    page = editor.get(f"/staff/setup/questions/{multi.id}?lang=en").text
    assert "leave it out of the question's text" in page
    assert 'id="typed-limit"' in page and "(bis zu 2)" in page
    with app.app_context():
        stored = db.session().get_one(Question, multi.id)
        stored.texts = {**stored.texts, "de": "Was fehlt hier?"}
        db.session().commit()
    assert 'id="typed-limit"' not in editor.get(f"/staff/setup/questions/{multi.id}").text


def test_the_migration_takes_typed_limits_out_of_multiple_choice_texts(
    empty_database_url: str,
) -> None:
    """Texts typed before the screens said the limit lose it once, at the upgrade (0023)."""
    config = alembic_config(empty_database_url)
    alembic_command.upgrade(config, "0022")
    engine = make_engine(empty_database_url)
    with todays_code_on(engine), Session(engine) as session:
        load_demo(session, sample_visits=0, actor=COMMAND_LINE, formats=False)
        session.commit()
        multi = session.scalars(select(Question).where(Question.kind == "multi")).first()
        single = session.scalars(select(Question).where(Question.kind == "single")).first()
        assert multi is not None and single is not None
        typed = {"de": "Was fehlt hier? (bis zu 2)", "en": "What is missing? (up to 2 answers)"}
        kept = {"de": "Für Kinder (bis 12 Jahre)?", "en": "(up to 2)"}
        for question, texts in ((multi, typed), (single, typed | {"ar": "ماذا؟ (حتى 3)"})):
            session.execute(update(Question).where(Question.id == question.id).values(texts=texts))
        other = session.scalars(
            select(Question).where(Question.kind == "multi", Question.id != multi.id)
        ).first()
        if other is not None:
            session.execute(update(Question).where(Question.id == other.id).values(texts=kept))
        session.commit()
        revision = session.scalar(select(CatalogRevision.revision))
        multi_id, single_id = multi.id, single.id
        other_id = other.id if other is not None else None
    alembic_command.upgrade(config, "0023")
    with Session(engine) as session:
        texts = {i: t for i, t in session.execute(select(Question.id, Question.texts))}
        assert texts[multi_id] == {"de": "Was fehlt hier?", "en": "What is missing?"}
        assert texts[single_id]["de"] == "Was fehlt hier? (bis zu 2)"  # a single choice: as typed
        if other_id is not None:
            assert texts[other_id] == kept  # an age limit stays; a text of only a limit too
        assert session.scalar(select(CatalogRevision.revision)) == (revision or 0) + 1
    engine.dispose()
