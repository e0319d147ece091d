"""The dashboard's filters: one form for the page, data.json and the exports.

An unknown value is a 400 with the field named; a service the user may not see
is a 403 (decided in `selection_for`, after the form has checked the syntax).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.core.exceptions import PermissionDenied

from surveys.models import Security, Specialism

from .access import Access

ABOUT_FILTERS = ("gender", "age_band", "ethnicity", "time_in_service")


@dataclass(frozen=True)
class Selection:
    services: tuple[str, ...] = ()
    security: str = ""
    specialism: str = ""
    date_from: date | None = None
    date_to: date | None = None
    about: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        """The selection as data.json echoes it (and the audit log will record it)."""
        return {
            "service": list(self.services),
            "security": self.security or None,
            "specialism": self.specialism or None,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            **{key: self.about.get(key) for key in ABOUT_FILTERS},
        }


    def describe(self) -> str:
        """'service: CL, M; security: low' — for people, e.g. the printed report."""
        parts = []
        for key, value in self.as_dict().items():
            if value:
                parts.append(f"{key}: {', '.join(value) if isinstance(value, list) else value}")
        return "; ".join(parts)


class FilterForm(forms.Form):
    service = forms.MultipleChoiceField(required=False, label="Service", widget=forms.SelectMultiple(attrs={"size": 4}))
    security = forms.ChoiceField(required=False, label="Security level")
    specialism = forms.ChoiceField(required=False, label="Specialism")
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    gender = forms.ChoiceField(required=False, label="Gender")
    age_band = forms.ChoiceField(required=False, label="Age")
    ethnicity = forms.ChoiceField(required=False, label="Ethnicity")
    time_in_service = forms.ChoiceField(required=False, label="Time in service (patients)")

    # The query string uses SPEC's names `from` and `to`.
    renamed = {"from": "date_from", "to": "date_to"}

    def __init__(self, query, *, access: Access, about_options: dict[str, list[tuple[str, str]]]):
        data = query.copy()
        for public, internal in self.renamed.items():
            if public in data:
                data.setlist(internal, data.getlist(public))
                del data[public]
        super().__init__(data)
        self.access = access
        anything = [("", "Any")]
        if access.every_service:
            self.fields["service"].choices = [(code, f"{code} – {name}") for code, name in access.services]
        else:
            # Any code parses, so that another service's code is a 403, not a 400.
            self.fields["service"].choices = [(code, code) for code, _ in access.services]
        self.fields["security"].choices = anything + list(Security.choices)
        self.fields["specialism"].choices = anything + list(Specialism.choices)
        for code in ABOUT_FILTERS:
            self.fields[code].choices = anything + about_options.get(code, [])
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_id = "filters"
        self.helper.layout = Layout(
            Row(
                Column("service", css_class="col-md-4"),
                Column("security", "specialism", css_class="col-md-4"),
                Column("date_from", "date_to", css_class="col-md-4"),
            ),
            Row(*(Column(code, css_class="col-md-3") for code in ABOUT_FILTERS)),
            Submit("apply", "Apply filters", css_class="btn-primary"),
        )
        self.helper.form_tag = True
        if not access.every_service:
            self.fields["service"].choices = [(code, code) for code in sorted(access.own_codes)] + [
                choice for choice in self.fields["service"].choices if choice[0] not in access.own_codes
            ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

    def errors_by_public_name(self) -> dict[str, list[str]]:
        back = {internal: public for public, internal in self.renamed.items()}
        return {back.get(name, name): [str(e) for e in errors] for name, errors in self.errors.items()}


def selection_for(form: FilterForm, access: Access) -> Selection:
    """The checked selection; PermissionDenied for anything outside the user's access."""
    data = form.cleaned_data
    services = tuple(dict.fromkeys(data.get("service") or ()))
    for code in services:
        if not access.may_see_service(code):
            raise PermissionDenied(f"You may not see figures for service {code}.")
    if not access.may_slice_nationally and not services and (data.get("security") or data.get("specialism")):
        raise PermissionDenied("Service leads can filter by security level or specialism within their own services only.")
    return Selection(
        services=services,
        security=data.get("security") or "",
        specialism=data.get("specialism") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        about={code: data[code] for code in ABOUT_FILTERS if data.get(code)},
    )
