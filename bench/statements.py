"""The generator's SQL (bench/generate.py): temporary tables, then one chunk of
responses and their answers per run of these statements; at the end, the
releases of every response (RELEASE_*_SQL).

Every random value is drawn by PostgreSQL. The temporary tables hold the plan
(bench_plan: which service gets how many), the odds (bench_question,
bench_option, bench_text) and the chunk being written (bench_new).
"""

SESSION_SQL = """
SET synchronous_commit = off;
SET work_mem = '64MB';
CREATE TEMP TABLE bench_plan (service_id bigint, patient_link bigint, staff_link bigint, first_number int, n int);
CREATE TEMP TABLE bench_question (question_id bigint, questionnaire_id bigint, kind text, skip float8);
CREATE TEMP TABLE bench_option (option_id bigint, question_id bigint, lo float8, hi float8, p float8);
CREATE TEMP TABLE bench_text (question_id bigint, questionnaire_id bigint, share float8);
CREATE TEMP TABLE bench_new (
    id uuid, channel varchar(8), client_id uuid, submitted_on date, number int, digest varchar(64),
    link_id bigint, questionnaire_id bigint, service_id bigint, rkey int, wave_id bigint);
"""

# OFFSET 0 keeps the subquery as it is, so each random() is drawn once per row.
# The wave is the one open on the response's date, as the app gives a response
# whose link has no wave (surveys.selectors.wave_open_on: the latest opened if
# several overlap; the bench's do not).
NEW_RESPONSES_SQL = """
INSERT INTO bench_new (id, channel, client_id, submitted_on, number, digest, link_id, questionnaire_id, service_id, rkey, wave_id)
SELECT gen_random_uuid(),
       CASE WHEN d.paper THEN 'paper' WHEN d.patient THEN 'tablet' ELSE 'web' END,
       gen_random_uuid(),
       current_date - d.age,
       d.number,
       md5(random()::text) || md5(random()::text),
       CASE WHEN d.paper THEN NULL WHEN d.patient THEN d.patient_link ELSE d.staff_link END,
       CASE WHEN d.patient THEN %(patient)s ELSE %(staff)s END,
       d.service_id,
       d.rkey,
       (SELECT w.id FROM surveys_wave w
        WHERE w.opens <= current_date - d.age AND w.closes >= current_date - d.age
        ORDER BY w.opens DESC, w.id DESC LIMIT 1)
FROM (
    SELECT p.service_id, p.patient_link, p.staff_link, p.first_number + g.i AS number,
           random() < %(patient_share)s AS patient,
           random() < %(paper_share)s AS paper,
           floor(random() * %(days)s)::int AS age,
           floor(random() * %(record_keys)s)::int AS rkey
    FROM bench_plan p CROSS JOIN LATERAL generate_series(0, p.n - 1) AS g(i)
    OFFSET 0
) d
"""

COPY_RESPONSES_SQL = """
INSERT INTO surveys_response (id, channel, client_id, submitted_on, number, digest, link_id, questionnaire_id, service_id, rkey, wave_id)
SELECT id, channel, client_id, submitted_on, number, digest, link_id, questionnaire_id, service_id, rkey, wave_id FROM bench_new
"""

# PostgreSQL pushes a filter on one table down to that table's scan, where a
# random() in it would be drawn once per question or option, not per answer.
# So every draw is a column of an OFFSET 0 subquery (never flattened) and the
# filters compare columns.

# Pick-one: an answered question gets exactly one option, drawn once.
ONE_CHOICES_SQL = """
INSERT INTO surveys_choiceanswer (response_id, option_id)
SELECT d.response_id, o.option_id
FROM (
    SELECT n.id AS response_id, q.question_id, q.skip, random() AS s, random() AS u
    FROM bench_new n JOIN bench_question q ON q.questionnaire_id = n.questionnaire_id AND q.kind = 'one'
    OFFSET 0
) d
JOIN bench_option o ON o.question_id = d.question_id AND d.u >= o.lo AND d.u < o.hi
WHERE d.s >= d.skip
ORDER BY 1
"""

# Pick-any: each option on its own odds; choosing none is a skip.
MANY_CHOICES_SQL = """
WITH asked AS MATERIALIZED (
    SELECT d.response_id, d.question_id
    FROM (
        SELECT n.id AS response_id, q.question_id, q.skip, random() AS s
        FROM bench_new n JOIN bench_question q ON q.questionnaire_id = n.questionnaire_id AND q.kind = 'many'
        OFFSET 0
    ) d
    WHERE d.s >= d.skip
)
INSERT INTO surveys_choiceanswer (response_id, option_id)
SELECT d.response_id, d.option_id
FROM (
    SELECT a.response_id, o.option_id, o.p, random() AS u
    FROM asked a JOIN bench_option o ON o.question_id = a.question_id
    OFFSET 0
) d
WHERE d.u < d.p
ORDER BY 1
"""

TEXTS_SQL = """
INSERT INTO surveys_textanswer (response_id, question_id, text)
SELECT d.response_id, d.question_id, (%(phrases)s::text[])[1 + floor(d.pick * %(count)s)::int]
FROM (
    SELECT n.id AS response_id, t.question_id, t.share, random() AS s, random() AS pick
    FROM bench_new n JOIN bench_text t ON t.questionnaire_id = n.questionnaire_id
    OFFSET 0
) d
WHERE d.s < d.share
"""

LAST_NUMBER_SQL = """
UPDATE surveys_service s SET last_number = m.top
FROM (SELECT service_id, max(number) AS top FROM surveys_response GROUP BY service_id) m
WHERE m.service_id = s.id AND s.last_number < m.top
"""

SERVICES_SQL = """
SELECT s.id, s.code, s.last_number,
       (SELECT count(*) FROM surveys_response r WHERE r.service_id = s.id),
       (SELECT min(l.id) FROM surveys_collectionlink l WHERE l.service_id = s.id AND l.kiosk),
       (SELECT min(l.id) FROM surveys_collectionlink l WHERE l.service_id = s.id AND NOT l.kiosk)
FROM surveys_service s ORDER BY s.code
"""

# Releases (surveys/releases.py), as if the responses had come in in the order
# of their dates: per service, questionnaire and wave (a batch never mixes
# waves), consecutive batches of %(min_cell)s, each released on its newest
# response's day; the remainder (fewer than min_cell) waits. The release row
# carries the response's wave. Recomputed for all responses at every step: a
# step's new responses have dates spread over the same year as the old ones.
RELEASE_EVERYONE_SQL = """
INSERT INTO surveys_release (response_id, service_id, questionnaire_id, wave_id, among, released_on, pooled)
SELECT b.id, b.service_id, b.questionnaire_id, b.wave_id, 0,
       CASE WHEN b.batch < b.total / %(min_cell)s
            THEN max(b.submitted_on) OVER (PARTITION BY b.service_id, b.questionnaire_id, b.wave_id, b.batch) END,
       false
FROM (
    SELECT r.id, r.service_id, r.questionnaire_id, r.wave_id, r.submitted_on,
           (row_number() OVER w - 1) / %(min_cell)s AS batch,
           count(*) OVER (PARTITION BY r.service_id, r.questionnaire_id, r.wave_id) AS total
    FROM surveys_response r
    WINDOW w AS (PARTITION BY r.service_id, r.questionnaire_id, r.wave_id ORDER BY r.submitted_on, r.number)
) b
"""

# A released response then waits in each about-you slice it chose (among = the
# Option id), queued in the order of release; each slice of a service and wave
# is released the same way, in batches of min_cell. (Live, a slice releases all
# it holds once min_cell wait, so a batch may hold up to 2 x min_cell - 1; here
# batches are exactly min_cell.)
RELEASE_SLICES_SQL = """
INSERT INTO surveys_release (response_id, service_id, questionnaire_id, wave_id, among, released_on, pooled)
SELECT s.response_id, s.service_id, s.questionnaire_id, s.wave_id, s.among,
       CASE WHEN s.batch < s.total / %(min_cell)s
            THEN max(s.submitted_on) OVER (PARTITION BY s.service_id, s.questionnaire_id, s.wave_id, s.among, s.batch) END,
       false
FROM (
    SELECT e.response_id, e.service_id, e.questionnaire_id, e.wave_id, c.option_id AS among, r.submitted_on,
           (row_number() OVER w - 1) / %(min_cell)s AS batch,
           count(*) OVER (PARTITION BY e.service_id, e.questionnaire_id, e.wave_id, c.option_id) AS total
    FROM surveys_release e
    JOIN surveys_response r ON r.id = e.response_id
    JOIN surveys_choiceanswer c ON c.response_id = e.response_id
    JOIN surveys_option o ON o.id = c.option_id
    JOIN surveys_question q ON q.id = o.question_id
    WHERE e.among = 0 AND e.released_on IS NOT NULL AND q.code = ANY(%(about)s)
    WINDOW w AS (
        PARTITION BY e.service_id, e.questionnaire_id, e.wave_id, c.option_id
        ORDER BY e.released_on, r.submitted_on, r.number)
) s
"""

RELEASED_SQL = """
SELECT count(*) FILTER (WHERE among = 0 AND released_on IS NOT NULL),
       count(*) FILTER (WHERE among = 0 AND released_on IS NULL),
       count(*) FILTER (WHERE among <> 0),
       count(*) FILTER (WHERE among <> 0 AND released_on IS NOT NULL)
FROM surveys_release
"""

# Collection rounds over the generated dates (ages 0 .. days - 1): `count`
# consecutive waves of `span` days, the last still open `ahead` days from now
# (so the bench's own submissions, dated today, fall in it too).
WAVES_SQL = """
INSERT INTO surveys_wave (code, name, opens, closes)
SELECT %(prefix)s || g.i, 'Bench round ' || g.i,
       current_date - (%(days)s - 1) + (g.i - 1) * %(span)s,
       CASE WHEN g.i = %(count)s THEN current_date + %(ahead)s
            ELSE current_date - (%(days)s - 1) + g.i * %(span)s - 1 END
FROM generate_series(1, %(count)s) AS g(i)
"""

# Every service's patients and staff in every wave (the base of the response
# rates data.json shows with wave=): here twice its responses, plus a few.
DENOMINATORS_SQL = """
INSERT INTO surveys_denominator (wave_id, service_id, patients, staff)
SELECT w.id, s.id,
       2 * coalesce(c.patients, 0) + %(extra)s,
       2 * coalesce(c.staff, 0) + %(extra)s
FROM surveys_wave w
CROSS JOIN surveys_service s
LEFT JOIN (
    SELECT r.wave_id, r.service_id,
           count(*) FILTER (WHERE qn.code = 'patient') AS patients,
           count(*) FILTER (WHERE qn.code = 'staff') AS staff
    FROM surveys_response r JOIN surveys_questionnaire qn ON qn.id = r.questionnaire_id
    GROUP BY r.wave_id, r.service_id
) c ON c.wave_id = w.id AND c.service_id = s.id
ON CONFLICT (wave_id, service_id) DO UPDATE SET patients = excluded.patients, staff = excluded.staff
"""

# Responses and released responses (everyone) per wave, oldest wave first.
WAVE_SIZES_SQL = """
SELECT w.code, count(rel.response_id), count(rel.released_on)
FROM surveys_wave w
LEFT JOIN surveys_release rel ON rel.wave_id = w.id AND rel.among = 0
GROUP BY w.code, w.opens ORDER BY w.opens, w.code
"""
