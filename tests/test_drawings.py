"""Paper drawings: uploaded by editors, numbered, kept without EXIF, moderated within reach."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select

from kiosk.access.permissions import Role
from kiosk.models import Area, AuditEntry, Campaign, Drawing, Location, PictureState, StaffUser
from kiosk.web import db
from tests.helpers import login_as
from tests.test_pictures import _photo_with_location


@pytest.fixture
def media_app(make_app, tmp_path: Path) -> Flask:  # type: ignore[no-untyped-def]
    return make_app(MEDIA_DIR=str(tmp_path / "media"))


def _token(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def _where(app: Flask, code: str = "ehp") -> str:
    with app.app_context():
        session = db.session()
        place = session.scalars(select(Location).where(Location.code == code)).one()
        campaign = session.scalars(select(Campaign)).first()
        assert campaign is not None
        return f"{campaign.id}:{place.id}"


def _png(side: int = 300) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (side, side), "orange").save(out, "PNG")
    return out.getvalue()


def _upload(client: FlaskClient, data: bytes, where: str, age: str = "6-9"):  # type: ignore[no-untyped-def]
    """Post the upload form as a browser would; the multipart body written out by hand, as
    the test client spools a large file to a temporary file it never closes."""
    fields = {"csrf_token": _token(client, "/staff/drawings/new"), "where": where, "age_group": age}
    body = b"".join(
        f'--x\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    body += (
        b'--x\r\nContent-Disposition: form-data; name="picture"; filename="zeichnung.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n" + data + b"\r\n--x--\r\n"
    )
    return client.post(
        "/staff/drawings/new", data=body, content_type="multipart/form-data; boundary=x"
    )


def _counts(app: Flask, tmp_path: Path) -> tuple[int, int]:
    with app.app_context():
        rows = db.session().scalar(select(func.count()).select_from(Drawing))
    files = [p for p in (tmp_path / "media").rglob("*") if p.is_file()]
    return rows or 0, len(files)


def test_an_editor_uploads_a_5_mb_photo_kept_without_exif_and_numbered(
    media_app: Flask, tmp_path: Path
) -> None:
    editor = login_as(media_app, Role.EDITOR)
    where = _where(media_app)
    first = _upload(editor, _photo_with_location(), where)
    assert first.status_code == 303
    page = editor.get(first.headers["Location"]).get_data(as_text=True)
    assert "Nr. 1" in page or "no. 1" in page.lower()  # the number to write on the original
    second = _upload(editor, _png(), where, age="14-18")
    assert second.status_code == 303
    with media_app.app_context():
        drawings = db.session().scalars(select(Drawing).order_by(Drawing.number)).all()
        assert [(d.number, d.age_group.value, d.state) for d in drawings] == [
            (1, "6-9", PictureState.PENDING), (2, "14-18", PictureState.PENDING),
        ]  # fmt: skip
        key = drawings[0].media_key
        assert (
            db.session().scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "drawing-add")
            )
            == 2
        )
    kept = next((tmp_path / "media").rglob(key)).read_bytes()
    with Image.open(io.BytesIO(kept)) as back:
        assert len(back.getexif()) == 0 and max(back.size) == 2400
    assert b"PhoneMaker" not in kept


@pytest.mark.parametrize(
    ("data", "where", "age", "status"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", None, "6-9", 422),  # no picture
        (b"", None, "6-9", 422),  # no file
        (None, None, "99", 422),  # no such age group
        (None, "1:999999", "6-9", 422),  # no such place
        (None, "abc:def", "6-9", 422),  # damaged
        (None, None, "6-9", 413),  # too large a body: the picture replaced by 14 MB
    ],
)
def test_a_bad_upload_is_a_readable_4xx_and_keeps_nothing(  # type: ignore[no-untyped-def]
    media_app: Flask, tmp_path: Path, data, where, age, status
) -> None:
    editor = login_as(media_app, Role.EDITOR)
    if status == 413:
        data = b"\xff\xd8\xff" + b"0" * (14 * 1024 * 1024)
    answer = _upload(editor, _png() if data is None else data, where or _where(media_app), age)
    assert answer.status_code == status
    assert _counts(media_app, tmp_path) == (0, 0)


def test_another_areas_place_is_refused_and_only_moderators_see_and_judge(
    media_app: Flask, tmp_path: Path
) -> None:
    with media_app.app_context():
        session = db.session()
        lobeda = Area(name="Lobeda")
        elsewhere = Location(area=lobeda, code="lobeda", name="Lobeda-Platz")
        campaign = session.scalars(select(Campaign)).first()
        assert campaign is not None
        campaign.locations.append(elsewhere)
        session.commit()
        far = f"{campaign.id}:{elsewhere.id}"
        jena = session.scalars(select(Area).where(Area.name != "Lobeda")).first()
        assert jena is not None
        jena_id = jena.id
    editor = login_as(media_app, Role.EDITOR)
    assert _upload(editor, _png(), _where(media_app)).status_code == 303
    with media_app.app_context():
        drawing_id = db.session().scalars(select(Drawing.id)).one()
    viewer = login_as(media_app, Role.VIEWER)
    assert viewer.get("/staff/drawings/").status_code == 403
    assert viewer.get(f"/staff/drawings/{drawing_id}/picture").status_code == 403
    moderator = login_as(media_app, Role.MODERATOR)
    listing = moderator.get("/staff/drawings/").get_data(as_text=True)
    assert f"/staff/drawings/{drawing_id}/picture" in listing
    picture = moderator.get(f"/staff/drawings/{drawing_id}/picture")
    assert picture.status_code == 200 and picture.mimetype == "image/jpeg"
    token = _token(moderator, "/staff/drawings/")
    refused = moderator.post(
        f"/staff/drawings/{drawing_id}/moderate",
        data={"csrf_token": token, "action": "reject", "reason": "because"},
    )
    assert refused.status_code == 303
    with media_app.app_context():
        assert db.session().get_one(Drawing, drawing_id).state == PictureState.PENDING
    moderator.post(
        f"/staff/drawings/{drawing_id}/moderate",
        data={"csrf_token": token, "action": "reject", "reason": "face_or_name"},
    )
    with media_app.app_context():
        judged = db.session().get_one(Drawing, drawing_id)
        assert (judged.state, judged.reason.value) == (PictureState.REJECTED, "face_or_name")
    # A member limited to Lobeda: the upload for Jena's place and Jena's drawing are 403.
    with media_app.app_context():
        session = db.session()
        lobeda_area = session.scalars(select(Area).where(Area.name == "Lobeda")).one()
        lobeda_id = lobeda_area.id
        for email in ("editor@example.org", "moderator@example.org"):
            member = session.scalars(select(StaffUser).where(StaffUser.email == email)).one()
            member.areas = [lobeda_area]
        session.commit()
    assert jena_id != lobeda_id
    assert _upload(editor, _png(), _where(media_app)).status_code == 403
    assert _upload(editor, _png(), far).status_code == 303  # its own area's place
    assert moderator.get(f"/staff/drawings/{drawing_id}/picture").status_code == 403
    assert (
        moderator.post(
            f"/staff/drawings/{drawing_id}/moderate",
            data={"csrf_token": token, "action": "approve"},
        ).status_code
        == 403
    )


def test_editors_find_the_upload_and_moderators_the_drawings_in_the_menu(media_app: Flask) -> None:
    editor = login_as(media_app, Role.EDITOR).get("/staff/").get_data(as_text=True)
    assert 'href="/staff/drawings/new">Zeichnungen' in editor
    moderator = login_as(media_app, Role.MODERATOR).get("/staff/").get_data(as_text=True)
    assert 'href="/staff/drawings/">Zeichnungen' in moderator
    viewer = login_as(media_app, Role.VIEWER).get("/staff/").get_data(as_text=True)
    assert "/staff/drawings" not in viewer
