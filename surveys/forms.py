"""Forms built from questionnaire definitions; no question is written out here.

Field-level parsing comes from Django; the decision on what is valid is
`surveys.validation.clean_answers`, the same function the API calls.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext

from .codes import Kind
from .definitions import QuestionDef, QuestionnaireDef
from .services import new_client_id
from .validation import Problem, Submission, SubmissionInvalid, answers_from_form, clean_answers, parse_client_id

# Short answers (a job title) get a one-line box.
SINGLE_LINE_LIMIT = 100


class ResponseForm(forms.Form):
    """Base class; `response_form_class` adds one field per question."""

    definition: QuestionnaireDef
    client_id = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("client_id", str(new_client_id()))
        super().__init__(*args, **kwargs)
        self.submission: Submission | None = None

    def clean(self):
        cleaned = super().clean()
        try:
            answers = clean_answers(self.definition, answers_from_form(self.definition, self.data))
        except SubmissionInvalid as exc:
            for code, problems in exc.errors.items():
                field = code if code in self.fields else None
                for problem in problems:
                    self.add_error(field, problem_text(problem))
            return cleaned
        # A form re-sent by the browser keeps its client_id, so a double submit
        # stores once; a missing or mangled one just starts a new response.
        client_id = parse_client_id(self.data.get("client_id")) or new_client_id()
        self.submission = Submission(client_id=client_id, answers=answers)
        return cleaned


def problem_text(problem: Problem) -> str:
    """The validator's problem in the page's language: the same sentence the API
    sends in English, with the same values."""
    return gettext(problem.template) % problem.params if problem.params else gettext(problem.template)


def response_form_class(definition: QuestionnaireDef, *, easy: bool = False) -> type[ResponseForm]:
    fields: dict[str, forms.Field] = {}
    for question in definition.questions:
        label = (question.easy_text if easy else "") or question.text
        if question.kind == Kind.TEXT:
            fields[question.code] = forms.CharField(
                label=label,
                required=False,
                max_length=question.max_length,
                strip=False,
                widget=(
                    forms.TextInput(attrs={"autocomplete": "off"})
                    if question.max_length <= SINGLE_LINE_LIMIT
                    else forms.Textarea(attrs={"rows": 2 if question.parent else 3})
                ),
                help_text=question.hint,
            )
            continue
        choices = [(option.code, (option.easy_label if easy else "") or option.label) for option in question.options]
        field_class = forms.ChoiceField if question.kind == Kind.ONE else forms.MultipleChoiceField
        widget = forms.RadioSelect if question.kind == Kind.ONE else forms.CheckboxSelectMultiple
        fields[question.code] = field_class(label=label, required=False, choices=choices, widget=widget, help_text=question.hint)
    return type(f"{definition.code.title()}ResponseForm", (ResponseForm,), {"definition": definition, **fields})


@dataclass(frozen=True)
class OptionRow:
    code: str
    label: str
    example: str
    icon: str
    exclusive: bool
    checked: bool
    follow_ups: tuple  # (question, bound field) shown beside the option when it is ticked


@dataclass(frozen=True)
class QuestionBlock:
    question: QuestionDef
    field: forms.BoundField
    options: tuple[OptionRow, ...]
    follow_ups: tuple  # (question, bound field, condition) explaining the question as a whole
    condition: str  # "" or the answer(s) it follows from, in words
    condition_labels: tuple[str, ...]  # those answers' labels

    @property
    def condition_answers(self) -> str:
        return quoted_choices(self.condition_labels)


@dataclass(frozen=True)
class SectionBlock:
    code: str
    title: str
    number: int
    total: int
    questions: tuple[QuestionBlock, ...]


def form_sections(form: ResponseForm, *, easy: bool = False) -> list[SectionBlock]:
    """The one-page form (staff, paper entry) as sections of questions, each
    option with its example and the boxes that open beside it, and every
    conditional question with the answer it follows from."""
    definition = form.definition
    top = [question for question in definition.questions if not question.parent]
    sections = [section for section in definition.sections if any(q.section == section.code for q in top)]
    blocks = []
    for number, section in enumerate(sections, start=1):
        questions = tuple(question_block(form, question, easy) for question in top if question.section == section.code)
        title = (section.easy_title if easy else "") or section.title
        blocks.append(SectionBlock(section.code, title, number, len(sections), questions))
    return blocks


def question_block(form: ResponseForm, question: QuestionDef, easy: bool = False) -> QuestionBlock:
    """One question as every form shows it (a tablet screen, a one-page form's row)."""
    definition = form.definition
    field = form[question.code]
    value = field.value()
    chosen = set(value or ()) if question.kind == Kind.MANY else {value} if value else set()
    beside = definition.option_follow_ups(question.code)
    options = tuple(
        OptionRow(
            code=option.code,
            label=(option.easy_label if easy else "") or option.label,
            example=option.example,
            icon=option.icon,
            exclusive=option.exclusive,
            checked=option.code in chosen,
            follow_ups=tuple((f, form[f.code]) for f in beside.get(option.code, ())),
        )
        for option in question.options
    )
    return QuestionBlock(
        question=question,
        field=field,
        options=options,
        follow_ups=tuple(
            (f, form[f.code], condition_words(definition, f, easy=easy)) for f in definition.follow_ups(question.code)
        ),
        condition=condition_words(definition, question, easy=easy),
        condition_labels=condition_labels(definition, question, easy=easy),
    )


def condition_labels(definition: QuestionnaireDef, question: QuestionDef, *, easy: bool = False) -> tuple[str, ...]:
    """The labels of the answers a conditional question follows from."""
    condition = definition.question(question.show_if_question) if question.show_if_question else None
    if condition is None:
        return ()
    return tuple((o.easy_label if easy else "") or o.label for o in condition.options if o.code in question.show_if_options)


def condition_words(definition: QuestionnaireDef, question: QuestionDef, *, easy: bool = False) -> str:
    """What a conditional question follows from, for a page without branching.

    >>> from surveys.definitions import QuestionnaireDef, QuestionDef, OptionDef
    >>> led = QuestionDef("user_led", "s", "one", "Does this happen?", options=(OptionDef("yes", "Yes"), OptionDef("no", "No")))
    >>> forms_ = QuestionDef("user_led_forms", "s", "many", "How?", show_if_question="user_led", show_if_options=("yes",))
    >>> condition_words(QuestionnaireDef("staff", 2, "t", "i", "x", questions=(led, forms_)), forms_)
    'If you answered “Yes” to “Does this happen?”'
    """
    labels = condition_labels(definition, question, easy=easy)
    if not labels:
        return ""
    condition = definition.question(question.show_if_question)
    answers = quoted_choices(labels)
    heading = (condition.easy_text if easy else "") or condition.text
    if question.parent == condition.code:
        return gettext("If you answered %(answers)s") % {"answers": answers}
    return gettext("If you answered %(answers)s to “%(question)s”") % {"answers": answers, "question": heading}


def quoted_choices(labels) -> str:
    """Answers' labels, each in quotes, as one phrase joined by "or".

    >>> quoted_choices(["Yes"]), quoted_choices(["Yes", "Sometimes", "No"])
    ('“Yes”', '“Yes”, “Sometimes” or “No”')
    """
    quoted = [f"“{label}”" for label in labels]
    if len(quoted) < 2:
        return "".join(quoted)
    return gettext("%(earlier)s or %(last)s") % {"earlier": ", ".join(quoted[:-1]), "last": quoted[-1]}
