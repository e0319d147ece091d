"""Administration of services, links and questionnaires.

Responses are not editable here: they are anonymous evidence, changed only by
the retention command, and their free text is reviewed on the dashboard.
"""

from django.contrib import admin, messages
from django.utils import timezone

from .models import (
    CollectionLink,
    Denominator,
    Option,
    Question,
    Questionnaire,
    QuoteReview,
    Service,
    ServiceSpecialism,
    Theme,
    Translation,
    Wave,
)


class DenominatorInline(admin.TabularInline):
    model = Denominator
    extra = 0
    autocomplete_fields = ["service"]
    verbose_name_plural = "Denominators: how many patients and staff each service had (the base of response rates)"


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "opens", "closes", "accepts_until"]
    search_fields = ["code", "name"]
    inlines = [DenominatorInline]

    @admin.display(description="Links take answers until")
    def accepts_until(self, wave):
        return wave.accepts_until


@admin.register(Denominator)
class DenominatorAdmin(admin.ModelAdmin):
    list_display = ["wave", "service", "patients", "staff"]
    list_filter = ["wave"]
    search_fields = ["service__code", "service__name"]
    autocomplete_fields = ["service"]


class SpecialismInline(admin.TabularInline):
    model = ServiceSpecialism
    extra = 0


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "provider", "security", "last_number"]
    list_filter = ["security", "specialisms__specialism"]
    search_fields = ["code", "name", "provider"]
    inlines = [SpecialismInline]


@admin.register(CollectionLink)
class CollectionLinkAdmin(admin.ModelAdmin):
    list_display = ["__str__", "service", "questionnaire", "wave", "kiosk", "label", "created_on", "revoked_on"]
    list_filter = ["wave", "kiosk", "questionnaire", ("revoked_on", admin.EmptyFieldListFilter)]
    search_fields = ["service__code", "service__name", "label"]
    readonly_fields = ["path", "created_on", "revoked_on"]
    fields = [
        "service",
        "questionnaire",
        "wave",
        "kiosk",
        "idle_seconds",
        "thanks_seconds",
        "label",
        "path",
        "created_on",
        "revoked_on",
    ]
    actions = ["revoke"]

    @admin.display(description="Path to open")
    def path(self, link):
        return link.path if link.pk else "(shown once saved)"

    @admin.action(description="Revoke the selected links (their pages answer 404)")
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_on__isnull=True).update(revoked_on=timezone.localdate())
        self.message_user(request, f"Revoked {count} link(s).", messages.SUCCESS)

    def has_delete_permission(self, request, obj=None):
        # A link with answers is evidence of where they came from; revoke instead.
        return False


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0
    fields = ["position", "code", "label", "easy_label", "icon", "example", "exclusive"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["code", "version", "title"]
    readonly_fields = ["code", "version", "title", "easy_title", "intro", "easy_intro", "thanks", "sections"]

    def has_add_permission(self, request):
        # Questionnaires come from the versioned files (surveys/questionnaires/).
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["code", "questionnaire", "position", "kind", "section"]
    list_filter = ["questionnaire", "kind", "section"]
    readonly_fields = [f.name for f in Question._meta.fields]
    inlines = [OptionInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Translation)
class TranslationAdmin(admin.ModelAdmin):
    """Questionnaire texts in other languages, to see what still awaits a
    speaker's review. Read-only: a text is signed off in its file
    (surveys/questionnaires/README.md, "Other languages") and loaded from there."""

    list_display = ["key", "questionnaire", "language", "source", "text", "reviewed", "reviewed_by"]
    list_filter = ["language", "reviewed", "questionnaire"]
    search_fields = ["key", "text", "source"]
    list_select_related = ["questionnaire"]
    # Texts awaiting review first.
    ordering = ["reviewed", "questionnaire", "language", "key"]
    fields = ["questionnaire", "language", "key", "source", "text", "reviewed", "reviewed_by"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    """Themes leads tag quotes with; renaming one renames it on every quote."""

    list_display = ["name"]
    search_fields = ["name"]


@admin.register(QuoteReview)
class QuoteReviewAdmin(admin.ModelAdmin):
    """Deleting a review hides the quote again and puts the answer back in the review queue."""

    list_display = ["attribution", "status", "reviewed_by", "reviewed_on"]
    list_filter = ["status", "reviewed_on"]
    search_fields = ["attribution", "reviewed_by__username"]
    list_select_related = ["reviewed_by"]
    # Not the answer as written: only reviewed text is shown to anyone but the reviewer.
    fields = ["status", "text", "attribution", "reviewed_by", "reviewed_on", "themes", "for_report", "for_patients"]

    def get_queryset(self, request):
        # A text flagged as disclosing harm is for the named safeguarding reviewers
        # only, on their own page: not even a superuser reads it here.
        return super().get_queryset(request).filter(answer__concern__isnull=True)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
