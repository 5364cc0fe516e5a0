"""Every template compiles: a syntax error would otherwise also drop its strings from the
translation catalogue without a word (Babel's extractor skips a template it cannot parse)."""

from __future__ import annotations

from flask import Flask


def test_every_template_compiles(app: Flask) -> None:
    names = [name for name in app.jinja_env.list_templates() if name.endswith(".html")]
    assert len(names) > 30
    for name in names:
        app.jinja_env.get_template(name)  # raises TemplateSyntaxError
