"""Seven languages: the choice, translating a campaign's texts, German where one is missing."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.access.permissions import Role
from kiosk.core.languages import KNOWN, catalogue_text
from kiosk.models import AuditEntry, Campaign, Option, Question, QuestionKind
from kiosk.results.charts import Bar, Slice, bar_png, bar_svg, pie_png
from kiosk.setup.campaign_templates import TEMPLATES, texts_in_all
from kiosk.web import create_app, db
from tests.helpers import login_as

CATALOGUES = Path(__file__).resolve().parent.parent / "kiosk" / "translations"


def _campaign(app: Flask) -> tuple[int, int, int]:
    """The demo campaign's id, its first question's and that question's first option's."""
    with app.app_context():
        campaign = db.session().scalars(select(Campaign)).one()
        first = campaign.questions[0]
        return campaign.id, first.id, first.options[0].id


def test_the_start_screen_offers_every_language_by_its_own_name(client: FlaskClient) -> None:
    page = client.get("/k/ehp").text
    nav = page[page.index('class="languages"') :]
    for language in KNOWN.values():
        link = f'lang="{language.code}" hreflang="{language.code}"'
        assert link in nav and f">{language.name}</a>" in nav
    assert 'lang="ar" hreflang="ar" dir="rtl"' in nav  # the Arabic name runs right to left


@pytest.mark.parametrize(
    ("accept", "code", "direction"),
    [
        ("ar-SY,ar;q=0.9,en;q=0.5", "ar", "rtl"),
        ("tr-TR,tr;q=0.9", "tr", "ltr"),
        ("uk-UA", "uk", "ltr"),
        ("ru-RU,ru;q=0.9,de;q=0.5", "ru", "ltr"),
        ("de-DE,de;q=0.9", "de", "ltr"),
        ("fr-FR", "de", "ltr"),  # not offered: German
    ],
)
def test_a_phone_page_follows_the_phones_language(
    client: FlaskClient, accept: str, code: str, direction: str
) -> None:
    page = client.get("/q/ehp", headers={"Accept-Language": accept}).text
    assert f'<html lang="{code}" dir="{direction}">' in page


def test_leichte_sprache_is_a_language_of_its_own(client: FlaskClient) -> None:
    page = client.get("/q/ehp?lang=de-x-ls").text
    assert '<html lang="de-x-ls" dir="ltr">' in page
    # A phone asking for German keeps the chosen easy language for the rest of its visit.
    again = client.get("/q/ehp", headers={"Accept-Language": "de"}).text
    assert '<html lang="de-x-ls"' in again


def test_an_unknown_language_asked_for_is_ignored(client: FlaskClient) -> None:
    page = client.get("/q/ehp?lang=xx-evil", headers={"Accept-Language": "de"})
    assert page.status_code == 200 and '<html lang="de"' in page.text


def test_an_unknown_configured_language_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown"):
        create_app(
            {
                "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                "SECRET_KEY": "x",
                "LANGUAGES": ("de", "fr"),
            }
        )


def test_an_editor_translates_a_campaign_and_phones_show_it(app: Flask) -> None:
    campaign_id, question_id, option_id = _campaign(app)
    editor = login_as(app, Role.EDITOR)
    overview = editor.get(f"/staff/setup/campaigns/{campaign_id}").text
    assert f"/staff/setup/campaigns/{campaign_id}/translations/tr" in overview
    page = editor.get(f"/staff/setup/campaigns/{campaign_id}/translations/tr")
    assert page.status_code == 200
    assert 'lang="de" dir="ltr">' in page.text and f'name="q{question_id}"' in page.text
    saved = editor.post(
        f"/staff/setup/campaigns/{campaign_id}/translations/tr",
        data={f"q{question_id}": "  Burada sizin için   en önemli ne? ", f"o{option_id}": "Yeşil"},
    )
    assert saved.status_code == 303
    phone = app.test_client().get("/q/ehp?lang=tr").text
    assert "Burada sizin için en önemli ne?" in phone  # spaces folded
    assert ">Yeşil</span>" in phone
    with app.app_context():
        assert db.session().get(Question, question_id).texts["de"]  # German untouched
        entry = db.session().scalars(select(AuditEntry)).all()[-1]
        assert entry.action == "campaign-translate"
    # Emptying a field takes the translation out: the German shows again, marked.
    editor.post(
        f"/staff/setup/campaigns/{campaign_id}/translations/tr", data={f"o{option_id}": " "}
    )
    with app.app_context():
        assert "tr" not in db.session().get(Option, option_id).texts


def test_a_missing_translation_shows_german_marked_for_staff(app: Flask) -> None:
    campaign_id, question_id, _ = _campaign(app)
    with app.app_context():
        question = db.session().get(Question, question_id)
        question.texts = {"de": "Was ist Ihnen hier wichtig?"}  # no Arabic
        db.session().commit()
    phone = app.test_client().get("/q/ehp?lang=ar").text
    assert '<bdi lang="de" class="untranslated">Was ist Ihnen hier wichtig?</bdi>' in phone
    assert "staff-view" not in phone  # a passer-by just reads the German
    editor = login_as(app, Role.EDITOR)
    assert 'class="flow flow-qr staff-view"' in editor.get("/q/ehp?lang=ar").text
    page = editor.get(f"/staff/setup/campaigns/{campaign_id}/translations/ar").text
    assert "translation-missing" in page


def test_editing_german_and_english_keeps_the_other_languages(app: Flask) -> None:
    campaign_id, question_id, option_id = _campaign(app)
    editor = login_as(app, Role.EDITOR)
    with app.app_context():
        before = dict(db.session().get(Question, question_id).texts)
    editor.post(
        f"/staff/setup/campaigns/{campaign_id}/translations/uk",
        data={"intro": "Скажіть нам", f"q{question_id}": "Що важливо?", f"o{option_id}": "Зелень"},
    )
    with app.app_context():
        question = db.session().get(Question, question_id)
        options = question.options
        form = {"de": "Was zählt hier?", "en": "What counts here?", "results_shown": "live"}
        for i, option in enumerate(options):
            form |= {
                f"o{i}-id": str(option.id),
                f"o{i}-de": option.texts["de"],
                f"o{i}-emoji": option.emoji,
                f"o{i}-colour": option.colour,
                f"o{i}-order": str(i + 1),
            }
        campaign = db.session().get(Campaign, campaign_id)
        places = [str(location.id) for location in campaign.locations]
    assert editor.post(f"/staff/setup/questions/{question_id}", data=form).status_code == 303
    saved = editor.post(
        f"/staff/setup/campaigns/{campaign_id}",
        data={"title": "WerkStadt", "intro_de": "Neu.", "location_ids": places},
    )
    assert saved.status_code == 303
    with app.app_context():
        texts = db.session().get(Question, question_id).texts
        assert texts["de"] == "Was zählt hier?" and texts["en"] == "What counts here?"
        assert texts["uk"] == "Що важливо?"
        assert set(texts) == set(before)  # the template's other languages are still there
        assert db.session().get(Option, option_id).texts["uk"] == "Зелень"
        intro = db.session().get(Campaign, campaign_id).intro
        assert intro["de"] == "Neu." and intro["uk"] == "Скажіть нам" and "en" not in intro


def test_a_too_long_translation_is_refused_and_nothing_is_saved(app: Flask) -> None:
    campaign_id, question_id, option_id = _campaign(app)
    with app.app_context():
        before = dict(db.session().get(Question, question_id).texts)
    editor = login_as(app, Role.EDITOR)
    refused = editor.post(
        f"/staff/setup/campaigns/{campaign_id}/translations/ru",
        data={f"q{question_id}": "Что важно?", f"o{option_id}": "я" * 121},
    )
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in refused.text and "Что важно?" in refused.text
    with app.app_context():
        assert db.session().get(Question, question_id).texts == before


@pytest.mark.parametrize("code", ["de", "xx", "de-x-evil", "..%2Fetc"])
def test_translating_into_german_or_an_unknown_language_is_not_found(app: Flask, code: str) -> None:
    campaign_id, _, _ = _campaign(app)
    editor = login_as(app, Role.EDITOR)
    assert (
        editor.get(f"/staff/setup/campaigns/{campaign_id}/translations/{code}").status_code == 404
    )


def test_translating_needs_the_edit_role(app: Flask) -> None:
    campaign_id, question_id, _ = _campaign(app)
    viewer = login_as(app, Role.VIEWER)
    url = f"/staff/setup/campaigns/{campaign_id}/translations/tr"
    assert viewer.get(url).status_code == 403
    assert viewer.post(url, data={f"q{question_id}": "x"}).status_code == 403
    assert app.test_client().get(url).status_code == 302  # to the login
    editor = login_as(app, Role.EDITOR)
    assert editor.get("/staff/setup/campaigns/999999/translations/tr").status_code == 404


def test_a_template_campaign_has_every_language_the_catalogues_have(session: Session) -> None:
    for template in TEMPLATES.values():
        options = (o.text for q in template.questions for o in q.options)
        for message in (template.intro, *(q.text for q in template.questions), *options):
            texts = texts_in_all(message, "Jena Nord")
            assert set(texts) == set(KNOWN), (message, sorted(set(KNOWN) - set(texts)))
            assert all("{area}" not in text for text in texts.values())
            if "{area}" in message:
                assert all("Jena Nord" in text for text in texts.values()), message
    demo_question = session.scalars(select(Question).where(Question.kind == QuestionKind.SCALE))
    assert set(demo_question.first().texts) == set(KNOWN)


def test_a_message_missing_from_a_catalogue_comes_in_german(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    """Not the English message id: the interface falls back to German, like the content."""
    folder = tmp_path / "translations"
    shutil.copytree(CATALOGUES / "de", folder / "de")
    catalog = Catalog(locale="tr")
    catalog.add("Start", "Başla")  # the only message this Turkish catalogue has
    (folder / "tr" / "LC_MESSAGES").mkdir(parents=True)
    with (folder / "tr" / "LC_MESSAGES" / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    app = make_app(BABEL_TRANSLATION_DIRECTORIES=str(folder))
    page = app.test_client().get("/k/ehp?lang=tr").text
    assert re.search(r">\s*Başla\s*<", page)
    assert catalogue_text("de", "Privacy") == "Datenschutz"
    assert 'aria-label="Sprache"' in page  # "Language", in German


def _ink(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    """How many dark pixels (text, outlines) a part of a chart has."""
    return sum(1 for pixel in image.crop(box).convert("L").get_flattened_data() if pixel < 90)


def test_charts_mirror_in_arabic() -> None:
    bars = [Bar("الماء", 12, 0.6, "#1565c0"), Bar("الأمان", 8, 0.4, "#37474f")]
    svg = bar_svg(bars, title="ما الأهم؟", rtl=True)
    assert 'direction="rtl"' in svg and '<text x="640" y="15"' in svg  # labels at the right
    assert 'direction="ltr"' in bar_svg(bars, title="x")  # never the page's direction
    slices = [Slice(bar.label, bar.count, bar.colour) for bar in bars]
    for ltr_png, rtl_png in [
        (bar_png(bars, title="Was zählt?"), bar_png(bars, title="ما الأهم؟", rtl=True)),
        (pie_png(slices, title="Was zählt?"), pie_png(slices, title="ما الأهم؟", rtl=True)),
    ]:
        ltr, rtl = Image.open(io.BytesIO(ltr_png)), Image.open(io.BytesIO(rtl_png))
        width = ltr.width
        title_ltr, title_rtl = (40, 30, 400, 70), (width - 400, 30, width - 40, 70)
        assert _ink(ltr, title_ltr) > 0 and _ink(ltr, title_rtl) == 0
        assert _ink(rtl, title_rtl) > 0 and _ink(rtl, title_ltr) == 0


def test_changing_the_german_asks_to_check_the_translations(app: Flask) -> None:
    _, question_id, _ = _campaign(app)
    editor = login_as(app, Role.EDITOR)
    with app.app_context():
        question = db.session().get(Question, question_id)
        form = {"de": question.texts["de"], "en": question.texts["en"], "results_shown": "live"}
        for i, option in enumerate(question.options):
            form |= {
                f"o{i}-id": str(option.id),
                f"o{i}-de": option.texts["de"],
                f"o{i}-en": option.texts.get("en", ""),
                f"o{i}-emoji": option.emoji,
                f"o{i}-colour": option.colour,
                f"o{i}-order": str(i + 1),
            }
    url = f"/staff/setup/questions/{question_id}"
    same = editor.post(url, data=form, follow_redirects=True).text
    assert "Übersetzungen" not in same  # nothing German changed: no prompt
    changed = editor.post(url, data={**form, "o0-de": "Bäume"}, follow_redirects=True).text
    assert "Der deutsche Text hat sich geändert" in changed


def test_a_campaign_with_its_own_german_invitation_has_no_other_template_invitation(
    app: Flask,
) -> None:
    editor = login_as(app, Role.EDITOR)
    with app.app_context():
        place = db.session().scalars(select(Campaign)).one().locations[0].id
    made = editor.post(
        "/staff/setup/campaigns/new",
        data={"title": "Sommer", "template": "playground", "intro_de": "Unser Sommer!"}
        | {"location_ids": str(place)},
    )
    assert made.status_code == 303
    with app.app_context():
        campaign = db.session().scalars(select(Campaign).where(Campaign.title == "Sommer")).one()
        assert campaign.intro == {"de": "Unser Sommer!"}  # no template text saying otherwise
        assert set(campaign.questions[0].texts) == set(KNOWN)  # the questions: every language
