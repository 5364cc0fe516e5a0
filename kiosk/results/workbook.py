"""The tally as an Excel workbook: one sheet per question, and one of the wishes."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from kiosk.models import CHANNELS
from kiosk.results.crosstab import CampaignCrossTabs, CrossTab
from kiosk.results.stations import StationRow
from kiosk.results.tallies import (
    CampaignTally,
    PlaceTally,
    QuestionTally,
    Wish,
    questions_per_place,
)

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _text(sheet: WriteOnlyWorksheet, value: str, *, bold: bool = False) -> WriteOnlyCell:
    """A text cell that stays text: never read as a formula, whatever it starts with."""
    # Control characters (a wish typed on a broken keyboard) are not allowed in a workbook.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _title(taken: set[str], number: str, text: str) -> str:
    """A sheet title Excel accepts: at most 31 characters, no []:*?/\\, unique."""
    base = _SHEET_FORBIDDEN.sub(" ", f"{number} {text}").strip()[:31].rstrip()
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def _share(sheet: WriteOnlyWorksheet, share: float) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=round(share, 4))
    cell.number_format = "0.0 %"
    return cell


def _cross_tab(
    sheet: WriteOnlyWorksheet, table: CrossTab, lang: str, labels: Mapping[str, str]
) -> None:
    """A question by group: a count and a share column per group."""

    def text(texts: Mapping[str, str]) -> str:
        return texts.get(lang) or texts["de"]

    sheet.append([_text(sheet, text(table.question.texts), bold=True)])
    header = [_text(sheet, labels["answer"], bold=True)]
    for group in table.groups:
        name = text(group.option.texts) if group.option else labels["not-stated"]
        header += [_text(sheet, name, bold=True), _text(sheet, f"{name} %", bold=True)]
    sheet.append(header)
    sheet.append(
        [_text(sheet, labels["group-answers"])] + [v for n in table.answers for v in (n, None)]
    )
    for row in table.rows:
        cells: list[Any] = [_text(sheet, text(row.option.texts))]
        for index, count in enumerate(row.counts):
            cells += [count, _share(sheet, table.share(row, index))]
        sheet.append(cells)
    sheet.append([])


def _by_place(
    sheet: WriteOnlyWorksheet,
    rows: Sequence[tuple[Any, QuestionTally]],
    lang: str,
    labels: Mapping[str, str],
) -> None:
    """A question's places: a row each, the answers, and a count and a share per option."""
    sheet.append([])
    sheet.append([_text(sheet, labels["by-place"], bold=True)])
    options = rows[0][1].options
    header = [_text(sheet, labels["place"], bold=True), _text(sheet, labels["answers"], bold=True)]
    for o in options:
        name = o.option.texts.get(lang) or o.option.texts["de"]
        header += [_text(sheet, name, bold=True), _text(sheet, f"{name} %", bold=True)]
    sheet.append(header)
    for location, q in rows:
        cells: list[Any] = [_text(sheet, location.name), q.answers]
        for o in q.options:
            cells += [o.total, _share(sheet, o.share)]
        sheet.append(cells)


def _stations(
    sheet: WriteOnlyWorksheet,
    route: tuple[Sequence[QuestionTally], Sequence[StationRow]],
    lang: str,
    labels: Mapping[str, str],
) -> None:
    """A route's stations side by side: a row each, three columns per question."""
    columns, rows = route
    header = [_text(sheet, labels["station"], bold=True), _text(sheet, labels["place"], bold=True)]
    for q in columns:
        text = q.question.texts.get(lang) or q.question.texts["de"]
        header += [
            _text(sheet, f"{text}: {labels['answers']}", bold=True),
            _text(sheet, f"{text}: {labels['most-chosen']}", bold=True),
            _text(sheet, f"{text}: {labels['share']}", bold=True),
        ]
    sheet.append(header)
    for row in rows:
        cells: list[Any] = [row.number, _text(sheet, row.location.name)]
        for cell in row.cells:
            if cell is None:  # not asked at this station
                cells += [None, None, None]
            elif cell.top is None:  # a wish, or none answered
                cells += [cell.answers, None, None]
            else:
                top = cell.top.option
                answer = f"{top.emoji} {top.texts.get(lang) or top.texts['de']}".strip()
                cells += [cell.answers, _text(sheet, answer), _share(sheet, cell.top.share)]
        sheet.append(cells)


def tally_workbook(
    tallies: list[CampaignTally],
    wishes: Iterable[Wish],
    *,
    cross: Sequence[CampaignCrossTabs] = (),
    places: Sequence[PlaceTally] = (),
    channels: Sequence[str] = CHANNELS,
    lang: str,
    labels: Mapping[str, str],
    channel_names: Mapping[str, str],
    zone: dt.tzinfo,
    route: tuple[Sequence[QuestionTally], Sequence[StationRow]] | None = None,
) -> bytes:
    """The workbook's bytes.

    labels: the words for "answer", "pictogram", "total", "share", "answers", "wishes",
    "place", "channel", "state", "mark", "marked", "received", each wish state
    ("state-pending", ...), and for the cross-tabs (a sheet per campaign with a demographic
    question) "compare", "group-answers" and "not-stated", in the reader's language; for
    the places (a table beneath each question answered at two places or more) "by-place".
    channels: those with a column (kiosk.results.exports.tally_channels).
    route: a climate walk's questions and stations (kiosk.results.stations.station_table):
    a first sheet with a row per station, and per question the answers there, the answer
    most chose and its share (labels "stations", "station", "most-chosen").
    """
    book = Workbook(write_only=True)
    taken: set[str] = set()
    several = len(tallies) > 1
    at_places = questions_per_place(list(places))
    if route is not None:
        _stations(book.create_sheet(_title(taken, "", labels["stations"])), route, lang, labels)
    for c_index, campaign in enumerate(tallies, start=1):
        for q in campaign.questions:
            if not q.options:
                continue  # a wish question: its texts are on the wishes sheet
            question = q.question.texts.get(lang) or q.question.texts["de"]
            number = (
                f"{c_index}.{q.question.position + 1}" if several else f"{q.question.position + 1}"
            )
            sheet = book.create_sheet(_title(taken, number, question))
            sheet.append([_text(sheet, question, bold=True)])
            sheet.append([_text(sheet, campaign.campaign.title)])
            sheet.append(
                [
                    _text(sheet, f"{labels['answers']}: {q.answers}"),
                ]
            )
            sheet.append([])
            header = [labels["answer"], labels["pictogram"]]
            header += [channel_names.get(c, c) for c in channels]
            header += [labels["total"], labels["share"]]
            sheet.append([_text(sheet, h, bold=True) for h in header])
            for o in q.options:
                row: list[Any] = [
                    _text(sheet, o.option.texts.get(lang) or o.option.texts["de"]),
                    _text(sheet, o.option.emoji),
                    *[o.by_channel[c] for c in channels],
                    o.total,
                    _share(sheet, o.share),
                ]
                sheet.append(row)
            here = at_places.get(q.question.id, [])
            if len(here) > 1:
                _by_place(sheet, here, lang, labels)
    for compared in cross:
        demographic = compared.demographic.texts.get(lang) or compared.demographic.texts["de"]
        sheet = book.create_sheet(_title(taken, "", labels["compare"]))
        sheet.append([_text(sheet, labels["compare"] + ": " + demographic, bold=True)])
        sheet.append([_text(sheet, compared.campaign.title)])
        sheet.append([])
        for table in compared.tables:
            _cross_tab(sheet, table, lang, labels)
    sheet = book.create_sheet(_title(taken, "", labels["wishes"]))
    header = [
        labels["wishes"],
        labels["place"],
        labels["channel"],
        labels["state"],
        labels["mark"],
        labels["received"],
    ]
    sheet.append([_text(sheet, h, bold=True) for h in header])
    for wish in wishes:
        sheet.append(
            [
                _text(sheet, wish.text),
                _text(sheet, wish.location),
                _text(sheet, channel_names.get(wish.channel, wish.channel)),
                _text(sheet, labels.get(f"state-{wish.state}", wish.state or "")),
                _text(sheet, labels["marked"] if wish.mark else ""),
                wish.received_at.astimezone(zone).replace(tzinfo=None),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
