from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Surveys"

    def ready(self) -> None:
        from . import checks  # noqa: F401, PLC0415 (registers the system checks)

        post_migrate.connect(load_questionnaires_after_migrate, sender=self)


def load_questionnaires_after_migrate(sender, using="default", verbosity=1, **kwargs) -> None:
    """`migrate` loads the questionnaire files, so a fresh database is ready to collect."""
    # Imported when called: models cannot be imported while the app registry loads.
    from .definitions import load_all  # noqa: PLC0415
    from .questionnaire_sync import questionnaires_sync  # noqa: PLC0415
    from .releases import releases_backfill, releases_queue_missing_slices  # noqa: PLC0415
    from .translations import TranslationError, language_files  # noqa: PLC0415

    # A language file that cannot be read leaves the stored translations as they
    # are (texts without one show in English); the system check names the file.
    try:
        translations = language_files()
    except TranslationError as exc:
        translations = None
        if verbosity >= 1:
            print(f"  Translations not loaded: {exc}")
    changes = questionnaires_sync(load_all(), translations)
    if verbosity >= 1:
        for change in changes:
            print(f"  Questionnaire {change}")
    # Responses stored before releases existed are released now, as if each had
    # just arrived: a no-op once every response is queued.
    backfilled = releases_backfill()
    if backfilled and verbosity >= 1:
        print(f"  Queued {backfilled} earlier responses for release in batches")
    # A question that became an about-you filter: released answers join its slices.
    sliced = releases_queue_missing_slices()
    if sliced and verbosity >= 1:
        print(f"  Queued {sliced} released answers for new about-you slices")
