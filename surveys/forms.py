"""Forms built from questionnaire definitions; no question is written out here.

Field-level parsing comes from Django; the decision on what is valid is
`surveys.validation.clean_answers`, the same function the API calls.
"""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout, Submit
from django import forms
from django.utils.html import escape

from .codes import Kind
from .definitions import QuestionnaireDef
from .services import new_client_id
from .validation import Submission, SubmissionInvalid, answers_from_form, clean_answers, parse_client_id

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
            for code, messages in exc.errors.items():
                field = code if code in self.fields else None
                for message in messages:
                    self.add_error(field, message)
            return cleaned
        # A form re-sent by the browser keeps its client_id, so a double submit
        # stores once; a missing or mangled one just starts a new response.
        client_id = parse_client_id(self.data.get("client_id")) or new_client_id()
        self.submission = Submission(client_id=client_id, answers=answers)
        return cleaned


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


def staff_form_helper(definition: QuestionnaireDef) -> FormHelper:
    """One page, one fieldset per section, in the file's order."""
    helper = FormHelper()
    helper.form_tag = False
    blocks = []
    for section in definition.sections:
        codes = [question.code for question in definition.questions if question.section == section.code]
        if codes:
            blocks.append(Fieldset(section.title, *codes, css_class="survey-section"))
    helper.layout = Layout(
        "client_id",
        *blocks,
        HTML('<p class="mt-4">' + escape("Every question can be skipped.") + "</p>"),
        Submit("finish", "Send my answers", css_class="btn-lg"),
    )
    return helper
