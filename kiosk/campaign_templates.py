"""Question sets for common occasions, so that a new campaign starts from a sensible one.

Texts may name the area ("{area}"); it is filled in when a campaign is made from a template.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.errors import N_
from kiosk.models import Option, Question, QuestionKind, ResultsShown


@dataclass(frozen=True)
class TemplateOption:
    """An answer with its pictogram, German and English text, and colour."""

    emoji: str
    de: str
    en: str
    colour: str


@dataclass(frozen=True)
class TemplateQuestion:
    """A question of a template."""

    kind: QuestionKind
    de: str
    en: str
    options: tuple[TemplateOption, ...] = ()
    max_choices: int | None = None
    results_shown: ResultsShown = ResultsShown.LIVE
    demographic: bool = False  # results are compared by it (e.g. age group)


@dataclass(frozen=True)
class CampaignTemplate:
    """A named set of questions with an invitation."""

    key: str
    name: str  # marked with N_, translated where shown
    description: str  # marked with N_
    intro_de: str
    intro_en: str
    questions: tuple[TemplateQuestion, ...]

    def build_questions(self, area: str) -> list[Question]:
        """New question rows (with options) for a campaign in this area; positions from 0."""
        built = []
        for position, q in enumerate(self.questions):
            question = Question(
                position=position,
                kind=q.kind,
                texts={"de": q.de.format(area=area), "en": q.en.format(area=area)},
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
                        texts={"de": o.de, "en": o.en},
                        value=option_position + 1 if q.kind == QuestionKind.SCALE else None,
                        hidden=False,
                    )
                )
            built.append(question)
        return built


SMILEYS = (
    TemplateOption("😞", "Gar nicht gern", "Not at all", "#c62828"),
    TemplateOption("🙁", "Nicht so gern", "Not much", "#ef6c00"),
    TemplateOption("😐", "Geht so", "It's okay", "#9e9d24"),
    TemplateOption("🙂", "Gern", "I like it", "#558b2f"),
    TemplateOption("😀", "Sehr gern", "I love it", "#2e7d32"),
)

AGE_GROUPS = TemplateQuestion(
    QuestionKind.SINGLE,
    "Wie alt sind Sie?",
    "How old are you?",
    (
        TemplateOption("🧒", "unter 12", "under 12", "#8e24aa"),
        TemplateOption("🧑", "12 bis 17", "12 to 17", "#3949ab"),
        TemplateOption("👩", "18 bis 64", "18 to 64", "#00897b"),
        TemplateOption("👵", "65 und älter", "65 and older", "#6d4c41"),
    ),
    # Who took part is for the report, not for the next passer-by while it runs.
    results_shown=ResultsShown.AFTER_CLOSE,
    demographic=True,
)

POP_UP = CampaignTemplate(
    key="pop-up",
    name=N_("Pop-up event in the neighbourhood"),
    description=N_("What matters, how people like it here, what is missing, age, a wish."),
    intro_de="Sagen Sie uns, was Ihnen in {area} wichtig ist. Es dauert eine Minute.",
    intro_en="Tell us what matters to you in {area}. It takes one minute.",
    questions=(
        TemplateQuestion(
            QuestionKind.SINGLE,
            "Was ist Ihnen in {area} am wichtigsten?",
            "What matters most to you in {area}?",
            (
                TemplateOption("🌳", "Grün und Schatten", "Green and shade", "#2e7d32"),
                TemplateOption("⚽", "Spielen und Sport", "Play and sport", "#ef6c00"),
                TemplateOption("🪑", "Treffpunkte", "Places to meet", "#6a1b9a"),
                TemplateOption("🧹", "Sauberkeit", "Cleanliness", "#00838f"),
                TemplateOption("🛡️", "Sicherheit", "Safety", "#37474f"),
                TemplateOption("💧", "Wasser", "Water", "#1565c0"),
            ),
        ),
        TemplateQuestion(
            QuestionKind.SCALE,
            "Wie gern sind Sie hier?",
            "How much do you like being here?",
            SMILEYS,
        ),
        TemplateQuestion(
            QuestionKind.MULTI,
            "Was fehlt hier? (bis zu 3)",
            "What is missing here? (up to 3)",
            (
                TemplateOption("🌲", "Mehr Bäume", "More trees", "#2e7d32"),
                TemplateOption("🚰", "Trinkbrunnen", "Drinking fountain", "#1565c0"),
                TemplateOption("🪑", "Bänke", "Benches", "#6d4c41"),
                TemplateOption("🚻", "Toiletten", "Toilets", "#455a64"),
                TemplateOption("💡", "Licht am Abend", "Light in the evening", "#f9a825"),
                TemplateOption(
                    "🤸", "Bewegung für alle Generationen", "Exercise for all ages", "#ad1457"
                ),
            ),
            max_choices=3,
        ),
        AGE_GROUPS,
        TemplateQuestion(
            QuestionKind.WISH,
            "Was wünschen Sie sich für {area}?",
            "What do you wish for {area}?",
        ),
    ),
)

PLAYGROUND = CampaignTemplate(
    key="playground",
    name=N_("A playground"),
    description=N_("For children and parents: how they like it, what to add, a wish."),
    intro_de="Wie soll euer Spielplatz werden? Tippt auf die Bilder!",
    intro_en="What should your playground be like? Tap the pictures!",
    questions=(
        TemplateQuestion(
            QuestionKind.SCALE,
            "Wie gefällt dir der Spielplatz?",
            "Do you like the playground?",
            SMILEYS,
        ),
        TemplateQuestion(
            QuestionKind.MULTI,
            "Was möchtest du hier machen? (bis zu 3)",
            "What would you like to do here? (up to 3)",
            (
                TemplateOption("🛝", "Rutschen", "Slide", "#ef6c00"),
                TemplateOption("🧗", "Klettern", "Climb", "#6a1b9a"),
                TemplateOption("🏖️", "Im Sand spielen", "Play in the sand", "#f9a825"),
                TemplateOption("💦", "Mit Wasser spielen", "Play with water", "#1565c0"),
                TemplateOption("⚽", "Ball spielen", "Play ball", "#2e7d32"),
                TemplateOption("🌳", "Im Schatten sitzen", "Sit in the shade", "#558b2f"),
            ),
            max_choices=3,
        ),
        TemplateQuestion(
            QuestionKind.SINGLE,
            "Was stört dich am meisten?",
            "What bothers you most?",
            (
                TemplateOption("🗑️", "Müll", "Litter", "#455a64"),
                TemplateOption("☀️", "Kein Schatten", "No shade", "#f9a825"),
                TemplateOption("🔧", "Kaputte Geräte", "Broken equipment", "#c62828"),
                TemplateOption("👍", "Nichts", "Nothing", "#2e7d32"),
            ),
        ),
        AGE_GROUPS,
        TemplateQuestion(QuestionKind.WISH, "Was wünschst du dir?", "What do you wish for?"),
    ),
)

CLIMATE_WALK = CampaignTemplate(
    key="climate-walk",
    name=N_("A climate walk with stations"),
    description=N_("At each station: heat, shade, water and what would help most."),
    intro_de="Wie fühlt sich dieser Ort bei Hitze an? Ihre Antwort hilft bei der Planung.",
    intro_en="How does this place feel in the heat? Your answer helps the planning.",
    questions=(
        TemplateQuestion(
            QuestionKind.SCALE,
            "Wie angenehm ist es hier an heißen Tagen?",
            "How pleasant is it here on hot days?",
            (
                TemplateOption("🥵", "Sehr unangenehm", "Very unpleasant", "#c62828"),
                TemplateOption("😓", "Unangenehm", "Unpleasant", "#ef6c00"),
                TemplateOption("😐", "Geht so", "It's okay", "#9e9d24"),
                TemplateOption("🙂", "Angenehm", "Pleasant", "#558b2f"),
                TemplateOption("😎", "Sehr angenehm", "Very pleasant", "#2e7d32"),
            ),
        ),
        TemplateQuestion(
            QuestionKind.MULTI,
            "Was würde hier am meisten helfen? (bis zu 2)",
            "What would help most here? (up to 2)",
            (
                TemplateOption("🌳", "Bäume", "Trees", "#2e7d32"),
                TemplateOption("⛱️", "Sonnensegel", "Shade sails", "#f9a825"),
                TemplateOption("🚰", "Trinkbrunnen", "Drinking fountain", "#1565c0"),
                TemplateOption("🌿", "Entsiegeln und Grün", "Unseal and green", "#558b2f"),
                TemplateOption("🪑", "Schattige Bänke", "Shaded benches", "#6d4c41"),
            ),
            max_choices=2,
        ),
        AGE_GROUPS,
        TemplateQuestion(
            QuestionKind.WISH, "Ihre Idee für diesen Ort:", "Your idea for this place:"
        ),
    ),
)

TEMPLATES = {t.key: t for t in (POP_UP, PLAYGROUND, CLIMATE_WALK)}
