from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    # Not strict: a checkout that never ran collectstatic (tests, `make run`)
    # serves the plain file names instead of failing; production runs
    # collectstatic and gets hashed, far-future-cached names.
    manifest_strict = False
