"""System checks: every questionnaire text in every language of the site.

Read from the files, not the database, so `manage.py check` (and every command
that runs the checks) says what a translator still has to do before a deploy.
Warnings, not errors: a text without a usable translation is shown in English.
"""

from __future__ import annotations

from django.core.checks import Warning, register

from .definitions import DefinitionError, load_all
from .translations import Problem, TranslationError, all_problems, language_files, other_languages

# How many keys a warning names before "and N more".
_SHOWN = 8

# A problem's kind -> the warning's id, what it says of the file, what to do.
_KINDS = {
    "no_file": ("surveys.W011", "", "Add the file (surveys/questionnaires/README.md, 'Other languages')."),
    "missing": ("surveys.W012", "texts have no translation", "Add an entry for each."),
    "stale": (
        "surveys.W013",
        "texts' English has changed since they were translated",
        "Translate the English as it is now, copy it into en, and set reviewed = false.",
    ),
    "unknown": ("surveys.W014", "entries are for texts the questionnaire does not have", "Remove them."),
    "empty": ("surveys.W015", "translations are empty", "Write the translation."),
    "no_questionnaire": (
        "surveys.W016",
        "",
        "Remove it, or name it as the file it translates.",
    ),
}


@register()
def translations_complete(app_configs=None, **kwargs) -> list[Warning]:
    """Every questionnaire text translated into every language of settings.LANGUAGES.

    surveys.W010: a language file cannot be read; W011: a questionnaire has no
    file in a language; W012-W015: texts missing, stale, unknown or empty;
    W016: a file for a questionnaire that does not exist. One warning per file
    and kind, naming the texts' keys.
    """
    try:
        problems = all_problems(load_all(), language_files(), other_languages())
    except TranslationError as exc:
        return [Warning(str(exc), hint="Its texts are shown in English until it is fixed.", id="surveys.W010")]
    except DefinitionError:
        # A broken questionnaire file stops `migrate` with its own message.
        return []
    grouped: dict[tuple[str, str], list[Problem]] = {}
    for problem in problems:
        grouped.setdefault((problem.name, problem.kind), []).append(problem)
    warnings = []
    for (name, kind), found in grouped.items():
        check_id, said, todo = _KINDS[kind]
        keys = [problem.key for problem in found if problem.key]
        if keys:
            listed = ", ".join(keys[:_SHOWN]) + (f" and {len(keys) - _SHOWN} more" if len(keys) > _SHOWN else "")
            message = f"{name}: {len(keys)} {said}: {listed}."
        else:
            message = found[0].message
        warnings.append(Warning(message, hint=todo, id=check_id))
    return warnings
