"""`{% audio_url text %}` and `{% paragraphs_with_audio text %}`: where the easy-read
form's spoken files are, for read-aloud.js (docs/audio.md)."""

import re

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from surveys import audio

register = template.Library()


@register.simple_tag
def audio_url(text):
    """The URL of the file that speaks `text` in the page's language, or "" if there is none."""
    return audio.audio_url(audio.page_language(get_language()), text or "")


@register.simple_tag
def paragraphs_with_audio(text):
    """`text` as the `linebreaks` filter shows it (a blank line starts a paragraph, a line
    break is <br>), each paragraph's `data-audio` listing its lines' files in order: one file
    a line. No `data-audio` when a line has no file (the device's voice reads the paragraph)."""
    language = audio.page_language(get_language())
    paragraphs = []
    for paragraph in re.split(r"\n{2,}", re.sub(r"\r\n|\r", "\n", str(text or "")).strip()):
        lines = audio.lines(paragraph)
        if not lines:
            continue
        urls = [audio.audio_url(language, line) for line in lines]
        files = format_html(' data-audio="{}"', " ".join(urls)) if all(urls) else ""
        # A newline after each <br>: the text the page reads has a space between lines.
        paragraphs.append(
            format_html("<p{}>{}</p>", files, format_html_join(mark_safe("<br>\n"), "{}", ((line,) for line in lines)))
        )
    return mark_safe("\n".join(paragraphs))
