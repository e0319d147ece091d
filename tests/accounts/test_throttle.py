"""The login throttle counts in the database, atomically: parallel wrong guesses for one username
get exactly PEERSURVEY_LOGIN_MAX_FAILURES password checks, on SQLite and on PostgreSQL alike,
with no Redis; a lock lasts PEERSURVEY_LOGIN_LOCK_MINUTES, even for the right password."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.backends import ModelBackend
from django.db import connections
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD, lead

LOGIN = "/accounts/login/"
GUESSERS = 40


def log_in(client, username, password, path=LOGIN):
    return client.post(path, {"username": username, "password": password}, HTTP_HOST="127.0.0.1")


def guess_in_parallel(username: str, guessers: int = GUESSERS) -> tuple[int, list[int]]:
    """`guessers` threads, each with its own Client (and so its own database connection), post a
    wrong password for `username` at once. Returns how many reached the password check."""
    checked = 0
    counting = threading.Lock()
    real = ModelBackend.authenticate

    def slow_authenticate(self, request, username=None, password=None, **kwargs):
        nonlocal checked
        with counting:
            checked += 1
        time.sleep(0.05)  # a real password hash takes a while: the window the old throttle raced in
        return real(self, request, username=username, password=password, **kwargs)

    start = threading.Barrier(guessers)
    statuses: list[int] = []

    def guess(index: int) -> None:
        try:
            client = Client()
            start.wait()
            statuses.append(log_in(client, username, f"wrong guess {index}").status_code)
        finally:
            connections.close_all()

    with mock.patch.object(ModelBackend, "authenticate", slow_authenticate):
        threads = [threading.Thread(target=guess, args=(index,)) for index in range(guessers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return checked, statuses


@pytest.mark.django_db(transaction=True)
def test_forty_parallel_wrong_guesses_get_exactly_ten_password_checks(caplog):
    lead("alice", "partnership_lead")
    caplog.set_level(logging.INFO, logger="accounts.auth")
    checked, statuses = guess_in_parallel("alice")
    assert statuses == [200] * GUESSERS  # every one answered with the form again, none a 500
    assert checked == 10
    assert caplog.text.count("login failed: username 'alice'") == 10
    assert caplog.text.count("login refused: username 'alice' is locked") == GUESSERS - 10
    assert "127.0.0.1" not in caplog.text


@pytest.mark.django_db(transaction=True)
def test_an_unknown_username_is_throttled_the_same_way():
    checked, _ = guess_in_parallel("nobody-here")
    assert checked == 10
    reply = log_in(Client(), "nobody-here", "anything at all")
    assert "locked for 15 minutes" in reply.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_right_password_is_refused_while_locked_and_accepted_once_the_lock_expires():
    alice = lead("alice", "partnership_lead")
    client = Client()
    for attempt in range(10):
        assert log_in(client, "alice", f"wrong {attempt}").status_code == 200
    reply = log_in(client, "alice", PASSWORD)
    assert "locked for 15 minutes" in reply.content.decode() and "_auth_user_id" not in client.session
    locked_at = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=locked_at + timedelta(minutes=14)):
        reply = log_in(client, "alice", PASSWORD)
        assert "locked for 15 minutes" in reply.content.decode() and "_auth_user_id" not in client.session
    with mock.patch("django.utils.timezone.now", return_value=locked_at + timedelta(minutes=16)):
        assert log_in(client, "alice", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


@pytest.mark.django_db(transaction=True)
def test_failures_older_than_the_window_no_longer_count_and_a_success_clears_them():
    lead("alice", "partnership_lead")
    client = Client()
    for attempt in range(9):
        log_in(client, "alice", f"wrong {attempt}")
    later = timezone.now() + timedelta(minutes=16)
    with mock.patch("django.utils.timezone.now", return_value=later):
        for attempt in range(9):
            log_in(client, "alice", f"wrong again {attempt}")
        # Nine in the new window: the right password still gets in, and clears the count.
        assert log_in(client, "alice", PASSWORD).status_code == 302
        client.logout()
        for attempt in range(9):
            log_in(client, "alice", f"wrong once more {attempt}")
        assert log_in(client, "alice", PASSWORD).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_the_admin_login_shares_the_count():
    client = Client()
    for attempt in range(5):
        log_in(client, "root", f"guess {attempt}")
    for attempt in range(5):
        log_in(client, "root", f"guess {attempt}", path="/admin/login/")
    assert "locked for 15 minutes" in log_in(client, "root", "x", path="/admin/login/").content.decode()
    assert "locked for 15 minutes" in log_in(client, "root", "x").content.decode()
