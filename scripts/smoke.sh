#!/usr/bin/env bash
# End to end as production runs it: collectstatic (hashed names), migrate, demo,
# gunicorn, then the pages and the API over HTTP, then a lead's data.json:
# answers join the figures in batches of PEERSURVEY_MIN_CELL (surveys/releases.py).
# Needs DATABASE_URL.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT=${SMOKE_PORT:-8765}
BASE=http://127.0.0.1:$PORT
export SECRET_KEY=${SECRET_KEY:-smoke-test-secret-key-not-for-production-0123456789}
export DEBUG=0 STATIC_ROOT=$(mktemp -d)
# The rate limit's counters are files: this run's own.
export PEERSURVEY_CACHE_DIR=$(mktemp -d) CACHE_URL=
JAR=$(mktemp)
LEAD=smoke-lead
LEAD_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')

$PY manage.py migrate --noinput -v0
$PY manage.py collectstatic --noinput -v0
$PY manage.py demo --no-user | tail -1
PEERSURVEY_PASSWORD=$LEAD_PASSWORD $PY manage.py add_user "$LEAD" --role partnership_lead
# Read the whole list first: awk quitting early would break show_links' pipe.
links=$($PY manage.py show_links --service CC)
patient=$(printf '%s\n' "$links" | awk -F'\t' '$2=="patient"{print $4; exit}')
staff=$(printf '%s\n' "$links" | awk -F'\t' '$2=="staff"{print $4; exit}')

GUNICORN_BIND=127.0.0.1:$PORT GUNICORN_WORKERS=2 .venv/bin/gunicorn peersurvey.wsgi:application \
  --config gunicorn.conf.py >/tmp/peersurvey-smoke.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$STATIC_ROOT" "$PEERSURVEY_CACHE_DIR" "$JAR"' EXIT
for _ in $(seq 50); do curl -fs -o /dev/null "$BASE/" && break; sleep 0.2; done

expect() {  # expect STATUS URL [curl args...]
  local want=$1 url=$2; shift 2
  local got
  got=$(curl -s -o /tmp/peersurvey-smoke.body -w '%{http_code}' "$@" "$url")
  if [ "$got" != "$want" ]; then
    echo "smoke: $url answered $got, expected $want"; cat /tmp/peersurvey-smoke.body | head -20; exit 1
  fi
  echo "smoke: $want $url"
}
expect 200 "$BASE$patient"
expect 200 "$BASE$staff"
css=$(grep -o '/static/css/app\.[0-9a-f]*\.css' /tmp/peersurvey-smoke.body | head -1)
[ -n "$css" ] || { echo "smoke: static names are not hashed"; exit 1; }
expect 200 "$BASE$css"
expect 404 "$BASE/c/no-such-token/"
expect 302 "$BASE/dashboard/"
api="$BASE/api/v1/links/${patient#/c/}"; api="${api%/}/responses"
id=$(python3 -c 'import uuid; print(uuid.uuid4())')
body="{\"client_id\": \"$id\", \"answers\": {\"useful\": \"yes\", \"fears\": [\"trust\"]}}"
expect 201 "$api" -H 'Content-Type: application/json' -d "$body"
expect 200 "$api" -H 'Content-Type: application/json' -d "$body"
expect 409 "$api" -H 'Content-Type: application/json' -d "{\"client_id\": \"$id\", \"answers\": {\"useful\": \"no\"}}"
expect 400 "$api" -H 'Content-Type: application/json' -d '{"client_id": "x", "answers": {"useful": "perhaps"}}'
expect 400 "$api" -H 'Content-Type: application/json' -d "{\"client_id\": \"$id\", \"answers\": {}}"
expect 404 "$BASE/api/v1/links/not-a-token/responses" -H 'Content-Type: application/json' -d "$body"
# Only a random (version 4) UUID: a version 1 one carries a time and a MAC address.
v1=$(python3 -c 'import uuid; print(uuid.uuid1())')
expect 400 "$api" -H 'Content-Type: application/json' -d "{\"client_id\": \"$v1\", \"answers\": {\"useful\": \"yes\"}}"

# A lead's data.json: one submission changes nothing; the one that fills a batch
# releases min_cell answers at once, dated today.
expect 200 "$BASE/accounts/login/" -c "$JAR" -b "$JAR"
csrf=$(grep -o 'name="csrfmiddlewaretoken" value="[^"]*"' /tmp/peersurvey-smoke.body | head -1 | sed 's/.*value="//; s/"$//')
expect 302 "$BASE/accounts/login/" -c "$JAR" -b "$JAR" \
  --data-urlencode "csrfmiddlewaretoken=$csrf" --data-urlencode "username=$LEAD" --data-urlencode "password=$LEAD_PASSWORD"
field() {  # field PYTHON-EXPRESSION-ON-d: read the last data.json
  python3 -c "import json, sys; d = json.load(open('/tmp/peersurvey-smoke.body')); print($1)"
}
data_json() {  # data_json QUERY: GET data.json, fail unless 200
  expect 200 "$BASE/dashboard/data.json$1" -b "$JAR" >/dev/null
}
data_json "?service=CC"
min_cell=$(field 'd["disclosure"]["min_cell"]')
[ "$(field 'd["disclosure"]["method"]')" = batches_cell_key ] || { echo "smoke: data.json has no cell-key disclosure block"; exit 1; }
before=$(field 'd["groups"]["patient"]["n"] or 0')
today=$(date +%F)
released=""
for i in $(seq "$min_cell"); do
  one="{\"client_id\": \"$(python3 -c 'import uuid; print(uuid.uuid4())')\", \"answers\": {\"useful\": \"yes\"}}"
  expect 201 "$api" -H 'Content-Type: application/json' -d "$one" >/dev/null
  data_json "?service=CC"
  now=$(field 'd["groups"]["patient"]["n"] or 0')
  if [ "$now" != "$before" ]; then
    [ "$now" -eq $((before + min_cell)) ] || { echo "smoke: CC's patients went from $before to $now, not by $min_cell"; exit 1; }
    [ "$(field 'd["disclosure"]["released_through"]')" = "$today" ] || { echo "smoke: released_through is not $today"; exit 1; }
    released=$i
    break
  fi
done
[ -n "$released" ] || { echo "smoke: $min_cell submissions to CC released nothing"; exit 1; }
echo "smoke: CC's patients $before -> $((before + min_cell)) at the submission that filled the batch ($released of $min_cell), none before"
# Date windows are whole months of release: "from" snaps to the first of its month.
data_json "?from=$today"
[ "$(field 'd["selection"]["from"]')" = "$(date +%Y-%m-01)" ] || { echo "smoke: from=$today did not snap to the month"; exit 1; }
echo "smoke: from=$today is the month from $(date +%Y-%m-01)"
# One about-you filter at a time: a second one is refused, by name.
expect 400 "$BASE/dashboard/data.json?gender=female&age_band=16_24" -b "$JAR"
grep -q age_band /tmp/peersurvey-smoke.body || { echo "smoke: the 400 does not name age_band"; exit 1; }
if grep -q "Traceback" /tmp/peersurvey-smoke.log; then echo "smoke: the server logged an error"; cat /tmp/peersurvey-smoke.log; exit 1; fi
if grep -E '^"' /tmp/peersurvey-smoke.log | grep -qE '/c/|/api/v1/links/|127\.0\.0\.1'; then
  echo "smoke: the access log names a collection URL or a client address"; cat /tmp/peersurvey-smoke.log; exit 1
fi
grep -q '"GET /dashboard/" 302' /tmp/peersurvey-smoke.log || { echo "smoke: no access log"; cat /tmp/peersurvey-smoke.log; exit 1; }
echo "smoke: passed"
