from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, far-future-cached names once `collectstatic` has run (production);
    plain names before it has (tests, `make run`), where whitenoise serves the
    files straight from `static/`."""

    def stored_name(self, name):
        if not self.hashed_files:
            return name
        return super().stored_name(name)
