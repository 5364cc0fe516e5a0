"""The sync API kiosk nodes talk to: enrol, fetch the configuration, push responses (JSON)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, gettext
from werkzeug.exceptions import HTTPException

from kiosk.core.errors import N_, KioskError
from kiosk.core.safejson import load_json
from kiosk.models import Device, utcnow
from kiosk.safety.safeguards import note_device_refusals, parse_reported_refusals
from kiosk.sync.configuration import config_document, config_etag, shared_wishes
from kiosk.sync.devices import DeviceAuthError, authenticate_device, enrol, note_contact
from kiosk.sync.ingest import MAX_BATCH, assigned_places, ingest
from kiosk.sync.openapi import OPENAPI
from kiosk.web import db
from kiosk.web.hooks import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookies here: every call carries its device token


class BatchError(KioskError):
    """A request body that is not a batch at all."""

    message = N_("The body must be a JSON object with a list of at most 1000 responses.")


@bp.errorhandler(HTTPException)
def _json_http_error(error: HTTPException) -> ResponseReturnValue:
    return jsonify(error=error.description), error.code or 500


@bp.errorhandler(KioskError)
def _json_error(error: KioskError) -> ResponseReturnValue:
    with force_locale("en"):  # machines read this; English keeps logs greppable
        message = gettext(error.message, **error.params)
    response = jsonify(error=message)
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="kiosk"'
    return response, error.status


def _json_body() -> Any:
    """The request's JSON, or None if it is not JSON a device should send."""
    try:
        return load_json(request.get_data())
    except ValueError:
        return None


def _device() -> Device:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        raise DeviceAuthError()
    return authenticate_device(db.session(), token.strip())


def _node_status(body: dict[str, Any]) -> dict[str, Any]:
    """What the node says of itself (all optional): its clock, answers taken and unsent.

    Its cooldown's refusals per day are read apart (parse_reported_refusals).
    """
    node = body.get("node")
    if not isinstance(node, dict):
        return {}
    status: dict[str, Any] = {}
    try:
        clock = dt.datetime.fromisoformat(str(node.get("clock")))
        if clock.tzinfo is not None:
            status["device_clock"] = clock
    except ValueError:
        pass
    for name in ("captured", "unsent"):
        value = node.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31:
            status[name] = value
    return status


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """The sync API described as OpenAPI 3.1."""
    return jsonify(OPENAPI)


@bp.get("/config")
def config() -> ResponseReturnValue:
    """Central's configuration for kiosk nodes; 304 if the node has this one already."""
    session = db.session()
    device = _device()
    places = assigned_places(session, device)
    wishes = shared_wishes(session, places)
    etag = config_etag(session, wishes, places)
    if etag in request.headers.get("If-None-Match", ""):
        return "", 304, {"ETag": etag}
    response = jsonify(config_document(session, wishes, places))
    response.headers["ETag"] = etag
    return response


@bp.post("/enrol")
def enrol_device() -> ResponseReturnValue:
    """Trade a one-time enrolment code for this device's token."""
    body = _json_body()
    code = body.get("code") if isinstance(body, dict) else None
    if not isinstance(code, str) or not code:
        raise DeviceAuthError(N_("This enrolment code is unknown or has expired."))
    session = db.session()
    device, token = enrol(session, code[:200])
    session.commit()
    return jsonify(
        token=token,
        device={"id": device.id, "name": device.name, "location": device.location.code},
    )


@bp.post("/responses")
def push_responses() -> ResponseReturnValue:
    """Store a batch of responses; answer with a verdict per UUID."""
    session = db.session()
    device = _device()
    body = _json_body()
    items = body.get("responses") if isinstance(body, dict) else None
    if not isinstance(body, dict) or not isinstance(items, list) or len(items) > MAX_BATCH:
        raise BatchError()
    now = utcnow()
    catalog = db.catalog()
    status = _node_status(body)
    node_clock = status.get("device_clock")
    with db.write_lock().held():
        verdicts = ingest(
            session,
            catalog,
            device,
            items,
            wish_max_chars=current_app.config["WISH_MAX_CHARS"],
            now=now,
            clock_offset=node_clock - now if node_clock is not None else None,
        )
        note_contact(device, now=now, **status)
        node = body.get("node")
        reported = node.get("refused") if isinstance(node, dict) else None
        note_device_refusals(
            session, device.id, parse_reported_refusals(reported, today=now.date())
        )
        session.commit()
    return jsonify(
        server_time=now.isoformat(),
        results=[
            {"uuid": v.uuid, "status": v.status, **({"error": v.error} if v.error else {})}
            for v in verdicts
        ],
    )
