#!/usr/bin/env bash
# End to end as production runs it: collectstatic (hashed names), migrate, demo,
# gunicorn, then the pages and the API over HTTP. Needs DATABASE_URL.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT=${SMOKE_PORT:-8765}
BASE=http://127.0.0.1:$PORT
export SECRET_KEY=${SECRET_KEY:-smoke-test-secret-key-not-for-production-0123456789}
export DEBUG=0 STATIC_ROOT=$(mktemp -d)

$PY manage.py migrate --noinput -v0
$PY manage.py collectstatic --noinput -v0
$PY manage.py demo --no-user | tail -1
# Read the whole list first: awk quitting early would break show_links' pipe.
links=$($PY manage.py show_links --service CC)
patient=$(printf '%s\n' "$links" | awk -F'\t' '$2=="patient"{print $4; exit}')
staff=$(printf '%s\n' "$links" | awk -F'\t' '$2=="staff"{print $4; exit}')

GUNICORN_BIND=127.0.0.1:$PORT GUNICORN_WORKERS=2 .venv/bin/gunicorn peersurvey.wsgi:application \
  --config gunicorn.conf.py >/tmp/peersurvey-smoke.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
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
if grep -q "Traceback" /tmp/peersurvey-smoke.log; then echo "smoke: the server logged an error"; cat /tmp/peersurvey-smoke.log; exit 1; fi
if grep -E '^"' /tmp/peersurvey-smoke.log | grep -qE '/c/|/api/v1/links/|127\.0\.0\.1'; then
  echo "smoke: the access log names a collection URL or a client address"; cat /tmp/peersurvey-smoke.log; exit 1
fi
grep -q '"GET /dashboard/" 302' /tmp/peersurvey-smoke.log || { echo "smoke: no access log"; cat /tmp/peersurvey-smoke.log; exit 1; }
echo "smoke: passed"
