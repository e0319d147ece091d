"""Hostile and valid submissions for the JSON API (docs/contract.md, "JSON submission API"),
shared by `scripts/fuzz.py` (10 000 + 1 000 by default) and
`tests/surveys/test_fuzz_small.py` (a few hundred, inside the suite).

Every hostile body is wrong for a reason the spec names (unknown code, wrong kind,
bad value, no answers, not JSON, wrong content type, unknown or revoked token, the
client_id reused with other answers, too large): it must get a 4xx and store
nothing. Every valid body is built from the questionnaire definition the link
serves and must get a 201 and be stored exactly as sent.

Bodies are bytes, so that invalid UTF-8 and raw surrogates reach the server as sent.
"""

from __future__ import annotations

import json
import random
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from surveys.models import ChoiceAnswer, Response, TextAnswer

JSON = "application/json"
MB = 1024 * 1024


@dataclass(frozen=True)
class Link:
    token: str
    definition: object  # surveys.definitions.QuestionnaireDef


@dataclass
class Attempt:
    kind: str
    body: bytes
    content_type: str = JSON
    token: str | None = None  # None: the target link's own token
    method: str = "post"


@dataclass
class FuzzReport:
    sent: int = 0
    statuses: Counter = field(default_factory=Counter)
    hostile_statuses: Counter = field(default_factory=Counter)
    valid_statuses: Counter = field(default_factory=Counter)
    hostile_accepted: list = field(default_factory=list)  # (kind, status, body head)
    server_errors: list = field(default_factory=list)  # (kind, status, body head)
    hostile_sent: int = 0
    valid_sent: int = 0
    hostile_rows: int = 0
    valid_rows: int = 0
    valid_mismatched: list = field(default_factory=list)
    valid_refused: list = field(default_factory=list)  # (status, reply head, body head)
    kinds: Counter = field(default_factory=Counter)

    def targets(self) -> list[tuple[str, object, object, bool]]:
        """(target, got, wanted, met) for each pass/fail line."""
        return [
            ("500s (5xx)", len(self.server_errors), 0, not self.server_errors),
            ("hostile accepted (2xx)", len(self.hostile_accepted), 0, not self.hostile_accepted),
            ("rows stored from hostile", self.hostile_rows, 0, self.hostile_rows == 0),
            (
                "valid answered 201",
                self.valid_statuses.get(201, 0),
                self.valid_sent,
                self.valid_statuses.get(201, 0) == self.valid_sent,
            ),
            ("valid stored", self.valid_rows, self.valid_sent, self.valid_rows == self.valid_sent),
            ("valid stored not as sent", len(self.valid_mismatched), 0, not self.valid_mismatched),
        ]

    @property
    def ok(self) -> bool:
        return all(met for *_, met in self.targets())

    def table(self) -> str:
        lines = [
            f"{'requests sent':<28}{self.sent:>10}",
            f"{'  hostile':<28}{self.hostile_sent:>10}",
            f"{'  valid':<28}{self.valid_sent:>10}",
            "status counts (all / hostile / valid):",
        ]
        for status in sorted(self.statuses):
            lines.append(
                f"  {status:<26}{self.statuses[status]:>10}{self.hostile_statuses.get(status, 0):>10}"
                f"{self.valid_statuses.get(status, 0):>10}"
            )
        lines.append("hostile kinds sent:")
        for kind, count in sorted(self.kinds.items()):
            lines.append(f"  {kind:<26}{count:>10}")
        lines.append(f"{'target':<28}{'got':>10}{'wanted':>10}  result")
        for name, got, wanted, met in self.targets():
            lines.append(f"{name:<28}{got!s:>10}{wanted!s:>10}  {'PASS' if met else 'FAIL'}")
        for label, items in (
            ("5xx", self.server_errors),
            ("accepted hostile", self.hostile_accepted),
            ("valid refused", self.valid_refused),
            ("stored not as sent", self.valid_mismatched),
        ):
            for item in items[:5]:
                lines.append(f"  {label}: {item!r}"[:300])
        return "\n".join(lines)


# --- helpers ---------------------------------------------------------------


def dumps(value) -> bytes:
    """JSON with non-ASCII escaped: a lone surrogate becomes a \\ud800 escape, as a broken client may send."""
    return json.dumps(value, ensure_ascii=True).encode("ascii")


def new_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _pick(rng, items):
    return items[rng.randrange(len(items))]


NICE_CHARS = (
    "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 .,;:!?'\"()-–—…"
    "éèêàçñüößŵŷæø’“”€£ 🙂💬🫶 漢字 العربية <>&%{}[]=+@#\\/\n\t"
)


def nice_text(rng: random.Random, limit: int) -> str:
    """Text that validation keeps exactly: printable, NFC already, no edge whitespace, within `limit`."""
    size = rng.choice([1, 2, 5, 20, 80, limit // 2, limit])
    size = max(1, min(size, limit))
    body = "".join(rng.choice(NICE_CHARS) for _ in range(size))
    text = ("x" + body[1:]).strip()
    return text or "x"


# --- valid -----------------------------------------------------------------


def valid_answers(rng: random.Random, definition) -> dict:
    """Random answers the questionnaire accepts; skips sent as absent, null, "" or []."""
    answers: dict = {}
    for question in definition.questions:
        roll = rng.random()
        if roll < 0.35:
            continue  # skipped by leaving it out
        if roll < 0.42:
            answers[question.code] = rng.choice([None, "", []] if question.kind == "many" else [None, ""])
            continue
        if question.kind == "one":
            answers[question.code] = rng.choice(question.option_codes)
        elif question.kind == "many":
            codes = list(question.option_codes)
            rng.shuffle(codes)
            codes = codes[: rng.randint(1, len(codes))]
            # "None of these" goes alone: with others it is refused (tests of that send it on purpose).
            alone = [code for code in codes if code in question.exclusive_codes]
            answers[question.code] = (
                alone[:1] if alone and rng.random() < 0.5 else [c for c in codes if c not in alone] or alone[:1]
            )
        else:
            answers[question.code] = nice_text(rng, question.max_length)
    if not any(_given(value) for value in answers.values()):
        question = _pick(rng, [q for q in definition.questions if q.kind == "one"])
        answers[question.code] = rng.choice(question.option_codes)
    items = list(answers.items())
    rng.shuffle(items)
    return dict(items)


def _given(value) -> bool:
    return value not in (None, "", [])


def expected_stored(answers: dict, definition) -> dict:
    """What the database must hold for these answers, independently of the app's validator."""
    kinds = {q.code: q.kind for q in definition.questions}
    stored = {}
    for code, value in answers.items():
        if not _given(value):
            continue
        stored[code] = frozenset(value) if kinds[code] == "many" else value
    return stored


def valid_attempt(rng: random.Random, link: Link) -> tuple[Attempt, str, dict]:
    client_id = new_id(rng)
    answers = valid_answers(rng, link.definition)
    body = {"client_id": client_id, "answers": answers}
    if rng.random() < 0.5:
        body = {"answers": answers, "client_id": client_id}
    content_type = rng.choice([JSON, JSON, "application/json; charset=utf-8"])
    raw = dumps(body) if rng.random() < 0.5 else json.dumps(body, ensure_ascii=False).encode("utf-8")
    return Attempt("valid", raw, content_type), client_id, answers


# --- hostile ---------------------------------------------------------------


def _other_option(definition, question, rng):
    """An option code this questionnaire does not offer for `question`."""
    return (
        rng.choice(
            [
                "perhaps",
                "YES",
                " yes",
                "yes ",
                "Yes",
                "reduces_workload" if question.code != "benefits" else "nope",
                "null",
                "0",
                "yes\u0000",
                "ye\u0301s",
                "\ud800",
                "ｙｅｓ",
                "yes;DROP TABLE",
                "../../etc/passwd",
            ]
        )
        if question.kind == "one"
        else rng.choice(["perhaps", "EMOTIONAL", "emotional ", "\ud83d", "1"])
    )


def _wrong_value(rng, question):
    """A value of the wrong kind for `question` (never a skip)."""
    if question.kind == "one":
        return rng.choice([1, 0, -1, 1.5, True, False, ["yes"], {"yes": True}, [], {}, float("1e308")])
    if question.kind == "many":
        return rng.choice(
            ["emotional", 1, True, {"emotional": True}, [1, 2], [None], [["emotional"]], [True], [{"a": 1}], [[]], [""]]
        )
    return rng.choice([1, True, ["text"], {"text": "x"}, 3.14, [], {}])


def _answerable(definition, kinds=("one", "many", "text")):
    return [q for q in definition.questions if q.kind in kinds]


def _valid_body(rng, link):
    return {"client_id": new_id(rng), "answers": valid_answers(rng, link.definition)}


def h_wrong_type(rng, link, ctx):
    question = _pick(rng, _answerable(link.definition))
    answers = valid_answers(rng, link.definition)
    answers[question.code] = _wrong_value(rng, question)
    return Attempt("wrong_type", dumps({"client_id": new_id(rng), "answers": answers}))


def h_wrong_top_level(rng, link, ctx):
    body = rng.choice(
        [
            [],
            [_valid_body(rng, link)],
            "answers",
            42,
            None,
            True,
            1.5,
            {"answers": []},
            {"client_id": new_id(rng), "answers": "useful=yes"},
            {"client_id": new_id(rng), "answers": [["useful", "yes"]]},
            {"client_id": new_id(rng), "answers": 7},
        ]
    )
    return Attempt("wrong_top_level", dumps(body))


def h_unknown_code(rng, link, ctx):
    answers = valid_answers(rng, link.definition)
    if rng.random() < 0.5:
        key = rng.choice(
            [
                "nope",
                "Useful",
                "useful ",
                "",
                " ",
                "useful_why_not",
                "__proto__",
                "constructor",
                "answers",
                "client_id",
                "🙂",
                "\ud800",
                "x" * 5000,
                "useful\u0000",
                "$where",
            ]
        )
        answers[key] = rng.choice(["yes", ["emotional"], "text"])
    else:
        question = _pick(rng, _answerable(link.definition, ("one", "many")))
        bad = _other_option(link.definition, question, rng)
        answers[question.code] = bad if question.kind == "one" else [*question.option_codes[:1], bad]
    return Attempt("unknown_code", dumps({"client_id": new_id(rng), "answers": answers}))


def h_other_instrument(rng, link, ctx):
    """A code the other questionnaire asks (job_title to patients, time_in_service to staff, ...)."""
    mine = {q.code: q for q in link.definition.questions}
    other = ctx["other"][link.definition.code]
    candidates = []
    for question in other.questions:
        if question.code not in mine:
            candidates.append((question.code, question.option_codes[0] if question.kind == "one" else "text"))
        elif question.kind == "many":
            extra = [code for code in question.option_codes if code not in mine[question.code].option_codes]
            candidates += [(question.code, [code]) for code in extra]
    code, value = _pick(rng, candidates)
    answers = valid_answers(rng, link.definition)
    answers[code] = value
    return Attempt("other_instrument", dumps({"client_id": new_id(rng), "answers": answers}))


def h_duplicate_option(rng, link, ctx):
    question = _pick(rng, _answerable(link.definition, ("many",)))
    code = rng.choice(question.option_codes)
    answers = valid_answers(rng, link.definition)
    answers[question.code] = [code, code]
    return Attempt("duplicate_option", dumps({"client_id": new_id(rng), "answers": answers}))


def h_huge(rng, link, ctx):
    """Strings from just over a text limit up to 1 MB, in every place a string goes."""
    size = rng.choice([2001, 5000, 65_536, 200_000, 255_000, 262_145, 600_000, MB])
    text = rng.choice("xé🙂") * size  # no spaces: stripped, they would shrink to a valid answer
    place = rng.randrange(5)
    answers = valid_answers(rng, link.definition)
    client_id = new_id(rng)
    if place == 0:
        text_q = _pick(rng, _answerable(link.definition, ("text",)))
        answers[text_q.code] = "x" + text  # never all spaces
    elif place == 1:
        answers[_pick(rng, _answerable(link.definition, ("one",))).code] = text
    elif place == 2:
        answers["k" + text] = "yes"
    elif place == 3:
        client_id = text
    else:
        answers[_pick(rng, _answerable(link.definition, ("many",))).code] = [text]
    body = dumps({"client_id": client_id, "answers": answers})
    return Attempt("huge", body[: MB + 1024] if len(body) > MB + 1024 else body)


def h_text_limit(rng, link, ctx):
    question = _pick(rng, _answerable(link.definition, ("text",)))
    answers = valid_answers(rng, link.definition)
    answers[question.code] = "y" * (question.max_length + rng.choice([1, 2, 100]))
    return Attempt("text_over_limit", dumps({"client_id": new_id(rng), "answers": answers}))


INVALID_UTF8 = [
    b"\xff",
    b"\xfe",
    b"\xc3\x28",
    b"\xa0\xa1",
    b"\xe2\x28\xa1",
    b"\xf0\x28\x8c\xbc",
    b"\xc0\xaf",
    b"\xf8\x88\x80\x80\x80",
    b"\x80",
    b"\xed\xa0\x80",
]


def h_invalid_utf8(rng, link, ctx):
    question = _pick(rng, _answerable(link.definition))
    placeholder = "PLACEHOLDERxyz"
    answers = valid_answers(rng, link.definition)
    answers[question.code] = placeholder if question.kind != "many" else [placeholder]
    body = dumps({"client_id": new_id(rng), "answers": answers})
    bad = rng.choice(INVALID_UTF8) * rng.randint(1, 3)
    return Attempt("invalid_utf8", body.replace(placeholder.encode(), b"ok" + bad + b"ok"))


def h_surrogate(rng, link, ctx):
    """Lone surrogates, as JSON escapes (valid JSON, invalid Unicode) and as raw CESU-8 bytes."""
    question = _pick(rng, _answerable(link.definition))
    lone = rng.choice(["\ud800", "\udfff", "\udc00x", "a\ud83d", "\ud83d\ud83d"])
    answers = valid_answers(rng, link.definition)
    value = "text " + lone if question.kind == "text" else lone
    answers[question.code] = value if question.kind != "many" else [value]
    body = dumps({"client_id": new_id(rng), "answers": answers})
    if rng.random() < 0.3:
        body = body.replace(b"\\ud800", b"\xed\xa0\x80").replace(b"\\udfff", b"\xed\xbf\xbf")
    return Attempt("lone_surrogate", body)


def h_nul(rng, link, ctx):
    question = _pick(rng, _answerable(link.definition, ("text",)))
    answers = valid_answers(rng, link.definition)
    answers[question.code] = rng.choice(
        ["a\u0000b", "\u0000", "text\u0000", "bell\u0007", "esc\u001b[31m", "del\u007f", "next\u0085line", "mid\u001fdle"]
    )
    body = dumps({"client_id": new_id(rng), "answers": answers})
    if rng.random() < 0.3:
        body = body.replace(b"\\u0000", b"\x00")  # a raw NUL: not JSON at all
    return Attempt("nul_control", body)


def h_nested(rng, link, ctx):
    depth = rng.choice([50, 500, 5_000, 50_000, 200_000])
    opener, closer = rng.choice([("[", "]"), ('{"a":', "}")])
    junk = opener * depth + "1" + closer * depth
    where = rng.randrange(3)
    if where == 0:
        raw = junk
    else:
        question = _pick(rng, _answerable(link.definition))
        key = question.code if where == 1 else "nested"
        raw = f'{{"client_id": "{new_id(rng)}", "answers": {{"{key}": {junk}}}}}'
    return Attempt("deeply_nested", raw.encode())


def h_missing_keys(rng, link, ctx):
    valid = _valid_body(rng, link)
    body = rng.choice(
        [
            {"answers": valid["answers"]},
            {"client_id": valid["client_id"]},
            {},
            {"client_id": valid["client_id"], "answers": {}},
            {"client_id": valid["client_id"], "answers": None},
            {"client_id": valid["client_id"], "answers": {q.code: None for q in link.definition.questions}},
            {"client_id": valid["client_id"], "answers": {q.code: "" for q in link.definition.questions if q.kind != "many"}},
            {"client_id": None, "answers": valid["answers"]},
            {"client_id": "", "answers": valid["answers"]},
        ]
    )
    return Attempt("missing_keys", dumps(body))


def h_bad_client_id(rng, link, ctx):
    valid = _valid_body(rng, link)
    valid["client_id"] = rng.choice(
        [
            "not-a-uuid",
            "1234",
            1234,
            0,
            -1,
            1.0,
            True,
            [new_id(rng)],
            {"id": new_id(rng)},
            new_id(rng)[:-1],
            new_id(rng) + "0",
            new_id(rng).replace("-", "_"),
            "g" * 32,
            "🙂" * 36,
            "x" * 65,
            " " * 36,
            new_id(rng) + "\u0000",
        ]
    )
    return Attempt("bad_client_id", dumps(valid))


def h_extra_field(rng, link, ctx):
    valid = _valid_body(rng, link)
    valid[rng.choice(["service", "link", "id", "number", "submitted_on", "ip", "channel", "", "Answers"])] = rng.choice(
        ["SAN", 1, None, True, {"x": 1}]
    )
    return Attempt("unknown_field", dumps(valid))


def h_wrong_content_type(rng, link, ctx):
    valid = _valid_body(rng, link)
    content_type = rng.choice(
        [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/xml",
            "application/jsonp",
            "application/json-patch+json",
            "text/json",
            "application/javascript",
            "*/*",
            "application/octet-stream",
        ]
    )
    return Attempt("wrong_content_type", dumps(valid), content_type=content_type)


def h_duplicate_keys(rng, link, ctx):
    """Duplicated keys: the last one wins in Python's json, and the last one is bad."""
    client_id = new_id(rng)
    good = json.dumps(valid_answers(rng, link.definition))
    question = _pick(rng, _answerable(link.definition, ("one",)))
    raw = rng.choice(
        [
            f'{{"client_id": "{client_id}", "answers": {{"{question.code}": "{question.option_codes[0]}", '
            f'"{question.code}": "perhaps"}}}}',
            f'{{"client_id": "{client_id}", "answers": {good}, "answers": {{"nope": "yes"}}}}',
            f'{{"client_id": "{client_id}", "client_id": "not-a-uuid", "answers": {good}}}',
            f'{{"client_id": "{client_id}", "answers": {good}, "answers": {{}}}}',
        ]
    )
    return Attempt("duplicate_keys", raw.encode())


def h_numbers_as_codes(rng, link, ctx):
    question = _pick(rng, _answerable(link.definition, ("one", "many")))
    answers = valid_answers(rng, link.definition)
    choice = rng.randrange(4)
    if choice == 0:
        answers[question.code] = rng.choice([1, 0, 2]) if question.kind == "one" else [0, 1]
        raw = dumps({"client_id": new_id(rng), "answers": answers})
    elif choice == 1:
        answers[str(rng.randrange(100))] = "yes"
        raw = dumps({"client_id": new_id(rng), "answers": answers})
    elif choice == 2:
        number = rng.choice(["NaN", "Infinity", "-Infinity", "1e999", "9" * 5000, "-0", "0x10", "01"])
        raw = f'{{"client_id": "{new_id(rng)}", "answers": {{"{question.code}": {number}}}}}'.encode()
    else:
        raw = f'{{"client_id": {rng.choice(["1", "1e400", "NaN", "9" * 5000])}, "answers": {json.dumps(answers)}}}'.encode()
    return Attempt("numbers_as_codes", raw)


def h_not_json(rng, link, ctx):
    raw = rng.choice(
        [
            b"",
            b" ",
            b"{",
            b"}",
            b"{not json",
            b"useful=yes",
            b"<xml/>",
            b"\x00\x01\x02",
            b"null null",
            b'{"client_id": "x", "answers": {}',
            b"{'client_id': 'single quotes'}",
            b"[1, 2,]",
            b"\xef\xbb\xbf",
            bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 300))),
        ]
    )
    return Attempt("not_json", raw)


def h_bad_token(rng, link, ctx):
    token = rng.choice(
        [
            ctx["revoked"],
            "no-such-token",
            "x" * 65,
            "x" * 10_000,
            link.token + "x",
            link.token[:-1],
            link.token.upper() if link.token.upper() != link.token else link.token + "A",
            "..",
            "🙂",
            "' OR '1'='1",
            "%20",
            "%2F",
        ]
    )
    return Attempt("bad_or_revoked_token", dumps(_valid_body(rng, link)), token=token)


def h_nul_token(rng, link, ctx):
    """A NUL in the token (%00): a 500 on PostgreSQL, see test_a_nul_in_a_path_parameter_is_a_404_not_a_500."""
    token = rng.choice(["%00", link.token + "%00", "%00" + link.token[1:]])
    return Attempt("nul_in_token", dumps(_valid_body(rng, link)), token=token)


def h_wrong_method(rng, link, ctx):
    return Attempt("wrong_method", dumps(_valid_body(rng, link)), method=rng.choice(["get", "put", "patch", "delete"]))


def h_conflict(rng, link, ctx):
    """A stored client_id sent again with different answers: 409, the first kept."""
    stored = ctx["stored"].get(link.token)
    if not stored:
        return h_missing_keys(rng, link, ctx)
    client_id, answers = _pick(rng, stored)
    for _ in range(20):
        other = valid_answers(rng, link.definition)
        if expected_stored(other, link.definition) != expected_stored(answers, link.definition):
            break
    return Attempt("client_id_conflict", dumps({"client_id": client_id, "answers": other}))


HOSTILE: list[Callable] = [
    h_wrong_type,
    h_wrong_top_level,
    h_unknown_code,
    h_other_instrument,
    h_duplicate_option,
    h_huge,
    h_text_limit,
    h_invalid_utf8,
    h_surrogate,
    h_nul,
    h_nested,
    h_missing_keys,
    h_bad_client_id,
    h_extra_field,
    h_wrong_content_type,
    h_duplicate_keys,
    h_numbers_as_codes,
    h_not_json,
    h_bad_token,
    h_nul_token,
    h_wrong_method,
    h_conflict,
]
# Big bodies are slow to build and send; they come up less often.
WEIGHTS = {h_huge: 0.3, h_nested: 0.5}


# --- running ---------------------------------------------------------------


def run_fuzz(
    client,
    links: list[Link],
    *,
    hostile: int,
    valid: int,
    seed: int,
    revoked_token: str,
    skip_kinds: tuple[str, ...] = (),
    progress: Callable[[int, int], None] | None = None,
) -> FuzzReport:
    """Send `hostile` + `valid` submissions, interleaved, through `client` (a django.test.Client).

    `skip_kinds` leaves out hostile generators by kind (their function name without `h_`).
    """
    rng = random.Random(seed)
    report = FuzzReport()
    rows_before = Response.objects.count()
    order = ["h"] * hostile + ["v"] * valid
    rng.shuffle(order)
    by_code = {link.definition.code: link.definition for link in links}
    ctx = {
        "revoked": revoked_token,
        "stored": {},  # token -> [(client_id, answers)]
        "other": {code: next((d for c, d in by_code.items() if c != code), definition) for code, definition in by_code.items()},
    }
    sent_valid: dict[str, tuple[Link, dict]] = {}
    generators = [g for g in HOSTILE if g.__name__.removeprefix("h_") not in skip_kinds]
    weights = [WEIGHTS.get(g, 1.0) for g in generators]
    for index, which in enumerate(order):
        link = _pick(rng, links)
        if which == "v":
            attempt, client_id, answers = valid_attempt(rng, link)
            sent_valid[client_id] = (link, answers)
        else:
            attempt = rng.choices(generators, weights)[0](rng, link, ctx)
            report.kinds[attempt.kind] += 1
        reply = _send(client, attempt, link)
        status = reply.status_code
        report.sent += 1
        report.statuses[status] += 1
        head = reply.content[:200] if not getattr(reply, "streaming", False) else b""
        if status >= 500:
            report.server_errors.append((attempt.kind, status, attempt.body[:120], head))
        if which == "v":
            report.valid_sent += 1
            report.valid_statuses[status] += 1
            if status == 201:
                ctx["stored"].setdefault(link.token, []).append((client_id, answers))
            else:
                report.valid_refused.append((status, head, attempt.body[:300]))
        else:
            report.hostile_sent += 1
            report.hostile_statuses[status] += 1
            if 200 <= status < 300:
                report.hostile_accepted.append((attempt.kind, status, attempt.body[:200]))
        if progress:
            progress(index + 1, len(order))
    # What was stored: every valid one, as sent; nothing else.
    client_ids = [uuid.UUID(c) for c in sent_valid]
    stored = {str(r.client_id): r for r in Response.objects.filter(client_id__in=client_ids).select_related("link")}
    report.valid_rows = len(stored)
    report.hostile_rows = Response.objects.count() - rows_before - report.valid_rows
    got: dict[str, dict] = {cid: {} for cid in stored}
    ids = {r.pk: str(r.client_id) for r in stored.values()}
    for response_id, code, option in ChoiceAnswer.objects.filter(response_id__in=ids).values_list(
        "response_id", "option__question__code", "option__code"
    ):
        got[ids[response_id]].setdefault(code, set()).add(option)
    for response_id, code, text in TextAnswer.objects.filter(response_id__in=ids).values_list(
        "response_id", "question__code", "text"
    ):
        got[ids[response_id]][code] = text
    for client_id, response in stored.items():
        link, answers = sent_valid[client_id]
        kinds = {q.code: q.kind for q in link.definition.questions}
        actual = {
            code: (frozenset(value) if kinds[code] == "many" else next(iter(value)) if isinstance(value, set) else value)
            for code, value in got[client_id].items()
        }
        if response.link.token != link.token or actual != expected_stored(answers, link.definition):
            report.valid_mismatched.append((client_id, expected_stored(answers, link.definition), actual))
    return report


def _send(client, attempt: Attempt, link: Link):
    path = f"/api/v1/links/{attempt.token or link.token}/responses"
    send = getattr(client, attempt.method)
    if attempt.method == "get":
        return send(path)
    return send(path, attempt.body, content_type=attempt.content_type)
