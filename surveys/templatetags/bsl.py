"""`{% bsl_tracks question as tracks %}`: a question's sign-language captions for the page's language."""

from django import template
from django.utils.translation import get_language, get_language_info

register = template.Library()


@register.simple_tag
def bsl_tracks(question):
    """The caption tracks of `question`'s BSL video, the page's language first and on
    by default (else English), each labelled with its language's own name."""
    language = (get_language() or "en").split("-")[0].lower()
    return [
        {"language": code, "path": path, "default": default, "label": get_language_info(code)["name_local"]}
        for code, path, default in question.bsl_tracks(language)
    ]
