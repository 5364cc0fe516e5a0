"""Question sets for common occasions, so that a new campaign starts from a sensible one.

Texts may name the area ("{area}"); it is filled in when a campaign is made from a template.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.core.errors import N_
from kiosk.core.languages import translated_all
from kiosk.models import CampaignFormat, Option, Question, QuestionKind, ResultsShown


@dataclass(frozen=True)
class TemplateOption:
    """An answer with its pictogram, text (an English message id) and colour."""

    emoji: str
    text: str
    colour: str


@dataclass(frozen=True)
class TemplateQuestion:
    """A question of a template; its text is an English message id."""

    kind: QuestionKind
    text: str
    options: tuple[TemplateOption, ...] = ()
    max_choices: int | None = None
    results_shown: ResultsShown = ResultsShown.LIVE
    demographic: bool = False  # results are compared by it (e.g. age group)


def texts_in_all(message: str, area: str = "") -> dict[str, str]:
    """A template's text in every language the catalogues have it in, the area filled in."""
    texts = {code: text.format(area=area) for code, text in translated_all(message).items()}
    texts.setdefault("de", texts["en"])  # a German catalogue not compiled: never no text
    return texts


@dataclass(frozen=True)
class CampaignTemplate:
    """A named set of questions with an invitation."""

    key: str
    name: str  # marked with N_, translated where shown
    description: str  # marked with N_
    intro: str  # marked with N_, may name "{area}"
    questions: tuple[TemplateQuestion, ...]
    format: CampaignFormat = CampaignFormat.POP_UP  # what a campaign made from it is

    def build_questions(self, area: str) -> list[Question]:
        """New question rows (with options) for a campaign in this area; positions from 0.

        Their texts are in every language whose catalogue has the template's texts.
        """
        built = []
        for position, q in enumerate(self.questions):
            question = Question(
                position=position,
                kind=q.kind,
                texts=texts_in_all(q.text, area),
                max_choices=q.max_choices,
                results_shown=q.results_shown,
                demographic=q.demographic,
            )
            for option_position, o in enumerate(q.options):
                question.options.append(
                    Option(
                        position=option_position,
                        emoji=o.emoji,
                        colour=o.colour,
                        texts=texts_in_all(o.text),
                        value=option_position + 1 if q.kind == QuestionKind.SCALE else None,
                        hidden=False,
                    )
                )
            built.append(question)
        return built


SMILEYS = (
    TemplateOption("😞", N_("Not at all"), "#c62828"),
    TemplateOption("🙁", N_("Not much"), "#ef6c00"),
    TemplateOption("😐", N_("It's okay"), "#9e9d24"),
    TemplateOption("🙂", N_("I like it"), "#558b2f"),
    TemplateOption("😀", N_("I love it"), "#2e7d32"),
)

AGE_GROUPS = TemplateQuestion(
    QuestionKind.SINGLE,
    N_("How old are you?"),
    (
        TemplateOption("🧒", N_("under 12"), "#8e24aa"),
        TemplateOption("🧑", N_("12 to 17"), "#3949ab"),
        TemplateOption("👩", N_("18 to 64"), "#00897b"),
        TemplateOption("👵", N_("65 and older"), "#6d4c41"),
    ),
    # Who took part is for the report, not for the next passer-by while it runs.
    results_shown=ResultsShown.AFTER_CLOSE,
    demographic=True,
)

POP_UP = CampaignTemplate(
    key="pop-up",
    name=N_("Pop-up event in the neighbourhood"),
    description=N_("What matters, how people like it here, what is missing, age, a wish."),
    intro=N_("Tell us what matters to you in {area}. It takes one minute."),
    questions=(
        TemplateQuestion(
            QuestionKind.SINGLE,
            N_("What matters most to you in {area}?"),
            (
                TemplateOption("🌳", N_("Green and shade"), "#2e7d32"),
                TemplateOption("⚽", N_("Play and sport"), "#ef6c00"),
                TemplateOption("🪑", N_("Places to meet"), "#6a1b9a"),
                TemplateOption("🧹", N_("Cleanliness"), "#00838f"),
                TemplateOption("🛡️", N_("Safety"), "#37474f"),
                TemplateOption("💧", N_("Water"), "#1565c0"),
            ),
        ),
        TemplateQuestion(
            QuestionKind.SCALE,
            N_("How much do you like being here?"),
            SMILEYS,
        ),
        TemplateQuestion(
            QuestionKind.MULTI,
            N_("What is missing here?"),
            (
                TemplateOption("🌲", N_("More trees"), "#2e7d32"),
                TemplateOption("🚰", N_("Drinking fountain"), "#1565c0"),
                TemplateOption("🪑", N_("Benches"), "#6d4c41"),
                TemplateOption("🚻", N_("Toilets"), "#455a64"),
                TemplateOption("💡", N_("Light in the evening"), "#f9a825"),
                TemplateOption("🤸", N_("Exercise for all ages"), "#ad1457"),
            ),
            max_choices=3,
        ),
        AGE_GROUPS,
        TemplateQuestion(
            QuestionKind.WISH,
            N_("What do you wish for {area}?"),
        ),
    ),
)

PLAYGROUND = CampaignTemplate(
    key="playground",
    name=N_("A playground"),
    description=N_("For children and parents: how they like it, what to add, a wish."),
    intro=N_("What should your playground be like? Tap the pictures!"),
    questions=(
        TemplateQuestion(
            QuestionKind.SCALE,
            N_("Do you like the playground?"),
            SMILEYS,
        ),
        TemplateQuestion(
            QuestionKind.MULTI,
            N_("What would you like to do here?"),
            (
                TemplateOption("🛝", N_("Slide"), "#ef6c00"),
                TemplateOption("🧗", N_("Climb"), "#6a1b9a"),
                TemplateOption("🏖️", N_("Play in the sand"), "#f9a825"),
                TemplateOption("💦", N_("Play with water"), "#1565c0"),
                TemplateOption("⚽", N_("Play ball"), "#2e7d32"),
                TemplateOption("🌳", N_("Sit in the shade"), "#558b2f"),
            ),
            max_choices=3,
        ),
        TemplateQuestion(
            QuestionKind.SINGLE,
            N_("What bothers you most?"),
            (
                TemplateOption("🗑️", N_("Litter"), "#455a64"),
                TemplateOption("☀️", N_("No shade"), "#f9a825"),
                TemplateOption("🔧", N_("Broken equipment"), "#c62828"),
                TemplateOption("👍", N_("Nothing"), "#2e7d32"),
            ),
        ),
        AGE_GROUPS,
        TemplateQuestion(QuestionKind.WISH, N_("What do you wish for?")),
    ),
)

MOVEMENT = CampaignTemplate(
    key="movement",
    name=N_("A movement event with a wheel"),
    description=N_("Children and adults spin the wheel: how they like to move, what is missing."),
    intro=N_("Spin the wheel: how do you like to move in {area}?"),
    format=CampaignFormat.MOVEMENT,
    questions=(
        TemplateQuestion(
            QuestionKind.WHEEL,
            N_("How do you like to move?"),
            (
                TemplateOption("⚽", N_("Football"), "#2e7d32"),
                TemplateOption("🧗", N_("Climbing"), "#6a1b9a"),
                TemplateOption("💃", N_("Dancing"), "#ad1457"),
                TemplateOption("🚶", N_("Walking"), "#558b2f"),
                TemplateOption("🚲", N_("Cycling"), "#ef6c00"),
                TemplateOption("🏊", N_("Swimming"), "#1565c0"),
            ),
        ),
        TemplateQuestion(
            QuestionKind.MULTI,
            N_("What would help you move more here?"),
            (
                TemplateOption("🤸", N_("Exercise for all ages"), "#ad1457"),
                TemplateOption("🏀", N_("A court for ball games"), "#ef6c00"),
                TemplateOption("🚲", N_("Safe cycle paths"), "#2e7d32"),
                TemplateOption("💡", N_("Light in the evening"), "#f9a825"),
                TemplateOption("🪑", N_("Benches to rest"), "#6d4c41"),
            ),
            max_choices=2,
        ),
        AGE_GROUPS,
        TemplateQuestion(QuestionKind.WISH, N_("What do you wish for?")),
    ),
)

CLIMATE_WALK = CampaignTemplate(
    key="climate-walk",
    name=N_("A climate walk with stations"),
    description=N_("At each station: heat, shade, water and what would help most."),
    intro=N_("How does this place feel in the heat? Your answer helps the planning."),
    format=CampaignFormat.CLIMATE_WALK,
    questions=(
        TemplateQuestion(
            QuestionKind.SCALE,
            N_("How pleasant is it here on hot days?"),
            (
                TemplateOption("🥵", N_("Very unpleasant"), "#c62828"),
                TemplateOption("😓", N_("Unpleasant"), "#ef6c00"),
                TemplateOption("😐", N_("It's okay"), "#9e9d24"),
                TemplateOption("🙂", N_("Pleasant"), "#558b2f"),
                TemplateOption("😎", N_("Very pleasant"), "#2e7d32"),
            ),
        ),
        TemplateQuestion(
            QuestionKind.MULTI,
            N_("What would help most here?"),
            (
                TemplateOption("🌳", N_("Trees"), "#2e7d32"),
                TemplateOption("⛱️", N_("Shade sails"), "#f9a825"),
                TemplateOption("🚰", N_("Drinking fountain"), "#1565c0"),
                TemplateOption("🌿", N_("Unseal and green"), "#558b2f"),
                TemplateOption("🪑", N_("Shaded benches"), "#6d4c41"),
            ),
            max_choices=2,
        ),
        AGE_GROUPS,
        TemplateQuestion(QuestionKind.WISH, N_("Your idea for this place:")),
    ),
)

TEMPLATES = {t.key: t for t in (POP_UP, PLAYGROUND, MOVEMENT, CLIMATE_WALK)}

FORMAT_NAMES = {
    CampaignFormat.POP_UP: N_("Pop-up event"),
    CampaignFormat.COOKING: N_("Cooking event"),
    CampaignFormat.MOVEMENT: N_("Movement event"),
    CampaignFormat.CLIMATE_WALK: N_("Climate walk with stations"),
    CampaignFormat.DRAWING_CONTEST: N_("Drawing contest"),
    CampaignFormat.ASSEMBLY: N_("Residents' assembly"),
    CampaignFormat.POSTER: N_("Poster campaign"),
    CampaignFormat.OTHER: N_("Another format"),
}
"""Each format's name as staff read it (marked with N_, translated where shown)."""
