"""Every staff route refuses a visitor who is not logged in: one guard over the staff areas."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule


def _example_url(app: Flask, rule: Rule) -> str:
    """The rule's path with a plausible value for each of its parameters."""
    values: dict[str, object] = {}
    for name, converter in rule._converters.items():
        items = getattr(converter, "items", None)  # any(location, area, campaign)
        values[name] = sorted(items)[0] if items else "1"
    return app.url_map.bind("localhost").build(rule.endpoint, values)


def test_every_staff_route_refuses_an_anonymous_request(app: Flask) -> None:
    client = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff") or rule.endpoint.startswith("auth."):
            continue
        assert rule.endpoint.startswith("staff."), f"{rule.rule} is outside the staff blueprint"
        url = _example_url(app, rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.location.startswith("/staff/login"), (method, url)
            checked += 1
    assert checked > 50  # the walk found the staff routes


def test_the_login_form_itself_is_open(client: FlaskClient) -> None:
    assert client.get("/staff/login").status_code == 200
