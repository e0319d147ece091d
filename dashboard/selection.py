"""What a dashboard request asks to see: its services, slices, dates and
about-you answers, checked against what the user may see.

`Selection` is plain data; every read (queries, the release layer, exports)
takes one. `selection_for` turns a valid filter form into one, or refuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from surveys.codes import ABOUT_FILTERS, ABOUT_GROUPS, slice_codes
from surveys.models import Option, Wave
from surveys.tallies import month_start, next_month

from .access import Access


@dataclass(frozen=True)
class Selection:
    services: tuple[str, ...] = ()
    security: str = ""
    specialism: str = ""
    date_from: date | None = None
    date_to: date | None = None
    about: dict[str, str] = field(default_factory=dict)
    wave: str = ""  # a wave's code; its id below, for the queries
    wave_id: int | None = None
    # What the figures are shown beside: "national", "2014" or "wave:CODE" ("" nothing).
    compare: str = ""
    compare_wave_id: int | None = None
    # The option codes the about-you filter stands for: its own, or a group's (surveys.codes.ABOUT_GROUPS).
    slice_codes: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        """The selection as data.json echoes it (and the audit log will record it)."""
        return {
            "service": list(self.services),
            "security": self.security or None,
            "specialism": self.specialism or None,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            **{key: self.about.get(key) for key in ABOUT_FILTERS},
            "wave": self.wave or None,
            "compare": self.compare or None,
        }

    @property
    def national(self) -> bool:
        """Every service: no service, security level or specialism chosen."""
        return not (self.services or self.security or self.specialism)

    @property
    def all_time_national(self) -> bool:
        """National and for all dates: the only view the national pool counts in."""
        return self.national and not self.date_from and not self.date_to

    def compared(self) -> Selection | None:
        """The selection the figures are compared with: the same filters nationally,
        or in another wave; None for the 2014 report (published figures) or nothing.

        >>> Selection(services=("CL",), wave="2027", wave_id=3, compare="national").compared()
        Selection(services=(), security='', specialism='', date_from=None, date_to=None, about={}, wave='2027', wave_id=3, compare='', compare_wave_id=None, slice_codes=())
        >>> Selection(services=("CL",), wave="2027", wave_id=3, compare="wave:2026", compare_wave_id=2).compared().wave
        '2026'
        """
        if self.compare == "national":
            return replace(self, services=(), security="", specialism="", compare="", compare_wave_id=None)
        if self.compare.startswith("wave:"):
            code = self.compare.removeprefix("wave:")
            return replace(
                self, wave=code, wave_id=self.compare_wave_id, date_from=None, date_to=None, compare="", compare_wave_id=None
            )
        return None

    @property
    def slice(self) -> tuple[str, tuple[str, ...]] | None:
        """The about-you filter as (question, option codes), if any (one at most).

        >>> Selection(about={"gender": "female"}).slice
        ('gender', ('female',))
        >>> Selection(about={"ethnicity": "white_british"}, slice_codes=("white_english", "white_welsh")).slice
        ('ethnicity', ('white_english', 'white_welsh'))
        """
        question, value = next(iter(self.about.items()), (None, None))
        if question is None:
            return None
        return question, self.slice_codes or (value,)

    def describe(self) -> str:
        """'service: CL, M; security: low' — for people, e.g. the printed report."""
        parts = []
        for key, value in self.as_dict().items():
            if value:
                parts.append(f"{key}: {', '.join(value) if isinstance(value, list) else value}")
        return "; ".join(parts)


def selection_for(data: dict, access: Access, *, waves: dict[str, int] | None = None) -> Selection:
    """The selection from a filter form's cleaned data; PermissionDenied for anything
    outside the user's access."""
    services = tuple(dict.fromkeys(data.get("service") or ()))
    for code in services:
        if not access.may_see_service(code):
            raise PermissionDenied(gettext("You may not see figures for service %(code)s.") % {"code": code})
    if not access.may_slice_nationally and not services and (data.get("security") or data.get("specialism")):
        raise PermissionDenied(
            gettext("Service leads can filter by security level or specialism within their own services only.")
        )
    if waves is None:  # the filter form passes the ids it has read already
        waves = dict(Wave.objects.values_list("code", "pk")) if data.get("wave") or data.get("compare") else {}
    about = {code: data[code] for code in ABOUT_FILTERS if data.get(code)}
    codes: tuple[str, ...] = ()
    for question, value in about.items():
        if value in ABOUT_GROUPS.get(question, {}):
            options = tuple(dict.fromkeys(Option.objects.filter(question__code=question).values_list("code", flat=True)))
            codes = slice_codes(question, value, options)
    compare = data.get("compare") or ""
    return Selection(
        wave=data.get("wave") or "",
        wave_id=waves.get(data.get("wave") or ""),
        compare=compare,
        compare_wave_id=waves.get(compare.removeprefix("wave:")) if compare.startswith("wave:") else None,
        services=services,
        security=data.get("security") or "",
        specialism=data.get("specialism") or "",
        # Whole months of release: two windows a day apart are the same window.
        date_from=month_start(data["date_from"]) if data.get("date_from") else None,
        date_to=month_end(data["date_to"]) if data.get("date_to") else None,
        about=about,
        slice_codes=codes,
    )


def month_end(day: date) -> date:
    """The last day of `day`'s month.

    >>> month_end(date(2026, 2, 10)), month_end(date(2026, 12, 31))
    (datetime.date(2026, 2, 28), datetime.date(2026, 12, 31))
    """
    return next_month(day) - timedelta(days=1)
