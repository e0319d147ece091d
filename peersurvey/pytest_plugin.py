"""The test run's environment, set before pytest-django loads the settings.

Settings refuse to start without a SECRET_KEY unless DEBUG is on (peersurvey/settings.py),
and pytest-django reads them before any conftest.py, so this plugin is loaded with `-p`
(pyproject.toml's addopts) and runs first. A key in the environment still wins, and a
developer's .env is not read: a test run's settings are the ones the tests write.
"""

import os

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    os.environ.setdefault("SECRET_KEY", "tests-only-key-never-served-" + "0123456789" * 3)
    os.environ.setdefault("PEERSURVEY_ENV_FILE", "")
