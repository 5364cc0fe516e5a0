"""Charts the public screens draw beside the pie: the wheel of a wheel question."""

from __future__ import annotations

from flask import Flask
from markupsafe import Markup

from kiosk.collect.showcase import QuestionResult
from kiosk.results.charts import Slice, wheel_svg
from kiosk.web.i18n import localized, right_to_left


def wheel(result: QuestionResult, size: int) -> Markup:
    """A wheel question's results as its wheel ("Bewegungsrad"); its key beside it speaks for it.

    The sectors stand in the options' own order, as on the physical wheel, not by count: every
    visible option, and a hidden one that has answers.
    """
    options = sorted(result.options, key=lambda o: o.option.position)
    slices = [
        Slice(localized(o.option.texts), o.count, o.option.colour, o.option.emoji) for o in options
    ]
    return wheel_svg(slices, title=None, size=size, rtl=right_to_left())


def init_app(app: Flask) -> None:
    """Offer the public charts to every template."""
    app.add_template_global(wheel)
