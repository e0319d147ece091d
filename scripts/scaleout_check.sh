#!/usr/bin/env bash
# Scale-out check without Docker: the docker-compose architecture on this machine.
#
#   PostgreSQL (127.0.0.1:5432) + Redis (127.0.0.1:6379, db 15)
#   two gunicorn instances (2 workers each) on local ports
#   nginx with deploy/nginx.conf, only its backend map swapped for the two ports
#
# Then, through nginx only: log in, use the dashboard many times with one session
# while requests alternate between the gunicorns (and with each one stopped in
# turn), submit through the API, check that the per-link rate limit is one
# shared count, check which headers reach the app, and check that nginx's logs
# hold no client address, user agent, time or collection URL.
#
# Needs: nginx (apt-get install -y --no-install-recommends nginx), PostgreSQL
# with trust auth for postgres@127.0.0.1, Redis, the project's .venv.
# Prints PASS/FAIL lines and "N passed, N failed"; exits 1 on any failure.
# Env: SCALEOUT_PORT (nginx, default 8790; the next four ports are used too),
# KEEP_DB=1 keeps the peersurvey_scaleout database afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=$ROOT/.venv/bin/python
GUNICORN=$ROOT/.venv/bin/gunicorn
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
PORT=${SCALEOUT_PORT:-8790}
G1=$((PORT + 1)) G2=$((PORT + 2)) ECHO_PORT=$((PORT + 3)) NGINX_ECHO_PORT=$((PORT + 4))
CLIENT_ADDR=127.0.0.3   # the "browser" connects from here, so its address is easy to look for
DB=peersurvey_scaleout

[ -x "$NGINX" ] || { echo "FAIL: nginx not found (apt-get install -y --no-install-recommends nginx)"; exit 1; }
[ -x "$PY" ] || { echo "FAIL: no .venv (make setup)"; exit 1; }
for p in $PORT $G1 $G2 $ECHO_PORT $NGINX_ECHO_PORT; do
  if (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "FAIL: port $p is in use (set SCALEOUT_PORT)"; exit 1; fi
done

TMP=$(mktemp -d /tmp/peersurvey-scaleout.XXXXXX)
declare -A PIDS=()
cleanup() {
  local name
  for name in "${!PIDS[@]}"; do kill "${PIDS[$name]}" 2>/dev/null || true; done
  for name in "${!PIDS[@]}"; do wait "${PIDS[$name]}" 2>/dev/null || true; done
  if [ "${KEEP_DB:-0}" != "1" ]; then
    psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
  fi
  if [ "${KEEP_TMP:-0}" = "1" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

# The same application settings as the web service in docker-compose.yml.
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB
export CACHE_URL=redis://127.0.0.1:6379/15
export SECRET_KEY=scaleout-check-secret-key-not-for-production-0123456789abcdef
export DEBUG=0 STATIC_ROOT=$TMP/static ALLOWED_HOSTS=127.0.0.1,localhost
export TRUST_X_FORWARDED_PROTO=1 SECURE_SSL_REDIRECT=1 SECURE_COOKIES=1 SECURE_HSTS_SECONDS=31536000
export DATA_UPLOAD_MAX_MEMORY_SIZE=262144
# Low, so that the shared count is seen quickly (the default is 300 a minute).
export PEERSURVEY_LINK_RATE_LIMIT=20

echo "== database $DB, migrate, demo, collectstatic"
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py demo | tail -1
"$PY" manage.py collectstatic --noinput -v0
links=$("$PY" manage.py show_links)
patient=$(printf '%s\n' "$links" | awk -F'\t' '$1=="CC" && $2=="patient"{print $4; exit}')
other=$(printf '%s\n' "$links" | awk -F'\t' '$1!="CC" && $2=="patient"{print $4; exit}')
[ -n "$patient" ] && [ -n "$other" ] || { echo "FAIL: the demo made no patient links"; exit 1; }

start_gunicorn() {  # start_gunicorn NAME PORT
  GUNICORN_BIND=127.0.0.1:$2 GUNICORN_WORKERS=2 "$GUNICORN" peersurvey.wsgi:application \
    --config gunicorn.conf.py >>"$TMP/$1.log" 2>&1 &
  PIDS[$1]=$!
}
stop() {  # stop NAME
  kill "${PIDS[$1]}" 2>/dev/null || true
  wait "${PIDS[$1]}" 2>/dev/null || true
  unset "PIDS[$1]"
}
wait_for() {  # wait_for PORT
  for _ in $(seq 100); do
    (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0
    sleep 0.1
  done
  echo "FAIL: nothing listens on port $1"; exit 1
}

# nginx.conf with the backend map swapped for an upstream of local ports, and
# temp paths under $TMP; every other line is deploy/nginx.conf's.
make_nginx_conf() {  # make_nginx_conf OUT NAME SERVER...
  local out=$1 name=$2; shift 2
  local servers="" s
  for s in "$@"; do servers+="        server $s;\n"; done
  mkdir -p "$TMP/nginx-$name"
  awk -v servers="$servers" -v tmp="$TMP/nginx-$name" -v port="$PORT_FOR_CONF" '
    /^    map \$host \$web_backend \{/ {
      printf "    upstream local_web {\n%s    }\n    map $host $web_backend {\n        default local_web;\n    }\n", servers
      skipping = 1; next
    }
    skipping { if ($0 ~ /^    \}/) skipping = 0; next }
    /^http \{/ {
      print
      printf "    client_body_temp_path %s/body;\n    proxy_temp_path %s/proxy;\n", tmp, tmp
      printf "    fastcgi_temp_path %s/fastcgi;\n    uwsgi_temp_path %s/uwsgi;\n    scgi_temp_path %s/scgi;\n", tmp, tmp, tmp
      next
    }
    /^        listen 80 default_server;/ { print "        listen 127.0.0.1:" port " default_server;"; next }
    { print }
  ' deploy/nginx.conf >"$out"
}
start_nginx() {  # start_nginx NAME CONF
  "$NGINX" -e stderr -p "$TMP/nginx-$1" -c "$2" -g "daemon off; pid $TMP/nginx-$1/nginx.pid;" \
    >"$TMP/$1.out" 2>"$TMP/$1.err" &
  PIDS[$1]=$!
}

echo "== two gunicorns on :$G1 and :$G2, nginx on :$PORT"
start_gunicorn g1 "$G1"
start_gunicorn g2 "$G2"
PORT_FOR_CONF=$PORT make_nginx_conf "$TMP/nginx.conf" nginx "127.0.0.1:$G1" "127.0.0.1:$G2"
echo "-- deploy/nginx.conf -> the config run here (nothing else differs):"
diff deploy/nginx.conf "$TMP/nginx.conf" | sed 's/^/   /' || true
"$NGINX" -t -q -e stderr -p "$TMP/nginx-nginx" -c "$TMP/nginx.conf" -g "pid $TMP/nginx-nginx/nginx.pid;"
start_nginx nginx "$TMP/nginx.conf"
wait_for "$G1"; wait_for "$G2"; wait_for "$PORT"

# A header-echo backend behind a second nginx (the same config) shows what
# reaches the application.
"$PY" - "$ECHO_PORT" "$TMP/echo.jsonl" >"$TMP/echo.log" 2>&1 <<'EOF' &
import json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
port, out = int(sys.argv[1]), sys.argv[2]
class Echo(BaseHTTPRequestHandler):
    def _reply(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        with open(out, "a") as handle:
            handle.write(json.dumps({"path": self.path, "peer": self.client_address[0],
                                     "headers": {k.lower(): v for k, v in self.headers.items()}}) + "\n")
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"ok")
    do_GET = do_POST = _reply
    def log_message(self, *args):
        pass
HTTPServer(("127.0.0.1", port), Echo).serve_forever()
EOF
PIDS[echoapp]=$!
PORT_FOR_CONF=$NGINX_ECHO_PORT make_nginx_conf "$TMP/nginx-echo.conf" echo "127.0.0.1:$ECHO_PORT"
start_nginx echo "$TMP/nginx-echo.conf"
wait_for "$ECHO_PORT"; wait_for "$NGINX_ECHO_PORT"

# The checks, as a browser / tablet behind a TLS terminator would make them:
# one Python client run per phase, sharing its cookies and results through $TMP,
# with this shell stopping and starting gunicorns between the phases.
cat >"$TMP/client.py" <<'EOF'
import http.client, json, os, re, sys, time, uuid
env = os.environ
PORT, ECHO_NGINX, CLIENT, TMP = int(env["PORT"]), int(env["NGINX_ECHO_PORT"]), env["CLIENT_ADDR"], env["TMP"]
G1LOG, G2LOG = f"{TMP}/g1.log", f"{TMP}/g2.log"
UA = "ScaleoutCheckBrowser/1.0 (unique-user-agent-marker)"
STATE = f"{TMP}/client-state.json"
state = json.load(open(STATE)) if os.path.exists(STATE) else {"cookies": {}, "passed": 0, "failed": 0}
cookies = state["cookies"]

def check(ok, what):
    state["passed" if ok else "failed"] += 1
    print(("PASS: " if ok else "FAIL: ") + what, flush=True)

def request(method, path, body=None, headers=None, port=PORT, https=True):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(CLIENT, 0))
    h = {"Host": f"127.0.0.1:{port}", "User-Agent": UA}
    if https:
        h["X-Forwarded-Proto"] = "https"   # what the TLS terminator in front adds
    if cookies and port == PORT:
        h["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    h.update(headers or {})
    conn.request(method, path, body=body, headers=h)
    resp = conn.getresponse()
    data = resp.read()
    for header, value in resp.getheaders():
        if header.lower() == "set-cookie" and port == PORT:
            name, _, rest = value.partition("=")
            cookies[name] = rest.split(";", 1)[0]
    conn.close()
    return resp, data

def served(log):
    """Dashboard requests answered 200 in one gunicorn's access log."""
    time.sleep(0.5)   # gunicorn writes the line just after the response
    with open(log) as handle:
        return sum(1 for line in handle if line.startswith(('"GET /dashboard/" 200', '"GET /dashboard/data.json" 200')))

def use_dashboard(n):
    statuses = []
    for i in range(n):
        path = "/dashboard/" if i % 2 == 0 else "/dashboard/data.json"
        resp, data = request("GET", path)
        ok = resp.status == 200
        if ok and path.endswith(".json"):
            try:
                json.loads(data)
            except ValueError:
                ok = False
        statuses.append(resp.status if ok else f"{resp.status} (not JSON)")
    return statuses

def token_of(path):
    return path.strip("/").split("/")[-1]

def save():
    with open(STATE, "w") as handle:
        json.dump(state, handle)

import atexit
atexit.register(save)   # the results so far, even when a check raises

phase = sys.argv[1]
if phase == "main":
    # --- TLS settings through the proxy
    resp, _ = request("GET", "/dashboard/", https=False)
    check(resp.status == 301 and resp.getheader("Location", "").startswith("https://127.0.0.1:"),
          f"plain HTTP is redirected to https (SECURE_SSL_REDIRECT behind the proxy): {resp.status} {resp.getheader('Location')}")

    # --- log in
    resp, page = request("GET", "/accounts/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    check(resp.status == 200 and token and "csrftoken" in cookies, f"login form over the proxy: {resp.status}, CSRF token found")
    check("max-age=31536000" in (resp.getheader("Strict-Transport-Security") or ""),
          "HSTS header set (X-Forwarded-Proto: https from the proxy trusted)")
    origin = f"https://127.0.0.1:{PORT}"
    form = f"csrfmiddlewaretoken={token.group(1).decode()}&username=lead&password=peer-support-demo&next=/dashboard/"
    resp, _ = request("POST", "/accounts/login/", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Origin": origin, "Referer": origin + "/accounts/login/"})
    secure = "secure" in (resp.getheader("Set-Cookie") or "").lower()
    check(resp.status == 302 and resp.getheader("Location") == "/dashboard/" and "sessionid" in cookies and secure,
          f"login as lead through the proxy (browser Origin, CSRF): {resp.status} -> {resp.getheader('Location')}, secure cookie {secure}")
    state["session"] = cookies.get("sessionid")

    # --- one session, requests spread over both gunicorns
    before = (served(G1LOG), served(G2LOG))
    statuses = use_dashboard(60)
    after = (served(G1LOG), served(G2LOG))
    check(all(s == 200 for s in statuses), f"60 dashboard requests (page and data.json) with one session: {sorted(set(map(str, statuses)))}")
    check(after[0] > before[0] and after[1] > before[1] and sum(after) - sum(before) == 60,
          f"both gunicorns served that session: gunicorn 1 {after[0] - before[0]} requests, gunicorn 2 {after[1] - before[1]}")

    # --- static files through the proxy
    resp, page = request("GET", "/dashboard/")
    css = re.search(rb'/static/[^"]+\.[0-9a-f]{12}\.css', page)
    if css:
        resp, _ = request("GET", css.group(0).decode(), headers={"Accept-Encoding": "gzip"})
        check(resp.status == 200 and "max-age=315360000" in (resp.getheader("Cache-Control") or "")
              and resp.getheader("Content-Encoding") == "gzip",
              f"hashed static file through the proxy: {resp.status}, Cache-Control {resp.getheader('Cache-Control')!r}, "
              f"Content-Encoding {resp.getheader('Content-Encoding')!r}")
    else:
        check(False, "the dashboard page names a hashed stylesheet")
    resp, _ = request("GET", "/dashboard/data.json", headers={"Accept-Encoding": "gzip"})
    check(resp.status == 200 and resp.getheader("Content-Encoding") == "gzip", f"data.json is gzipped by the proxy: {resp.getheader('Content-Encoding')}")

    # --- collection through the proxy
    resp, _ = request("GET", env["PATIENT"])
    check(resp.status == 200, f"collection page through the proxy: {resp.status}")
    api = f"/api/v1/links/{token_of(env['PATIENT'])}/responses"
    body = json.dumps({"client_id": str(uuid.uuid4()), "answers": {"useful": "yes", "fears": ["trust"]}})
    first, data1 = request("POST", api, body=body, headers={"Content-Type": "application/json"})
    second, data2 = request("POST", api, body=body, headers={"Content-Type": "application/json"})
    check(first.status == 201 and second.status == 200 and json.loads(data2)["duplicate"] is True
          and json.loads(data1)["id"] == json.loads(data2)["id"],
          f"API submission through the proxy: {first.status}, the same again: {second.status} duplicate")
    big = json.dumps({"client_id": str(uuid.uuid4()), "answers": {"useful_why": "x" * 300000}})
    try:
        resp, data = request("POST", api, body=big, headers={"Content-Type": "application/json"})
        check(resp.status == 413 and resp.getheader("Content-Type", "").startswith("application/json")
              and "errors" in json.loads(data),
              f"a body over 262144 bytes: {resp.status} {resp.getheader('Content-Type')} (the proxy keeps the API's JSON)")
    except OSError as exc:
        check(False, f"a body over 262144 bytes: {exc!r}")

    # --- the per-link rate limit is one count for every process
    window_left = 60 - time.time() % 60
    if window_left < 10:
        time.sleep(window_left + 0.5)
    api2 = f"/api/v1/links/{token_of(env['OTHER'])}/responses"
    statuses = []
    for _ in range(26):
        body = json.dumps({"client_id": str(uuid.uuid4()), "answers": {"useful": "no"}})
        resp, _ = request("POST", api2, body=body, headers={"Content-Type": "application/json"})
        statuses.append(resp.status)
    check(statuses[:20] == [201] * 20 and statuses[20:] == [429] * 6,
          f"rate limit of 20/min on one link, 2 gunicorns x 2 workers: {statuses.count(201)} x 201 then {statuses.count(429)} x 429")

    # --- what reaches the application (header-echo backend behind the same config)
    request("GET", "/dashboard/", port=ECHO_NGINX, headers={
        "X-Forwarded-For": "203.0.113.7", "X-Real-IP": "203.0.113.7", "Forwarded": "for=203.0.113.7",
        "True-Client-IP": "203.0.113.7", "X-Client-IP": "203.0.113.7"})
    request("POST", "/api/v1/links/abc/responses", body="{}", port=ECHO_NGINX, https=False,
            headers={"Content-Type": "application/json", "X-Forwarded-For": "203.0.113.7"})
    with open(f"{TMP}/echo.jsonl") as handle:
        seen = [json.loads(line) for line in handle]
    leaked = sorted({k for r in seen for k in r["headers"] if k in
                     ("x-forwarded-for", "x-real-ip", "forwarded", "true-client-ip", "x-client-ip", "cf-connecting-ip")})
    check(len(seen) == 2 and not leaked and not any("203.0.113.7" in json.dumps(r) or CLIENT in json.dumps(r) for r in seen),
          f"no client address reaches the application (forwarding headers passed on: {leaked or 'none'})")
    check([r["headers"].get("x-forwarded-proto") for r in seen] == ["https", "http"]
          and seen[0]["headers"].get("host") == f"127.0.0.1:{ECHO_NGINX}",
          f"X-Forwarded-Proto and the Host with its port reach the application: "
          f"{[r['headers'].get('x-forwarded-proto') for r in seen]}, {seen[0]['headers'].get('host')}")

elif phase in ("only-g1", "only-g2"):
    alone, log = ("gunicorn 1", G1LOG) if phase == "only-g1" else ("gunicorn 2", G2LOG)
    stopped = "gunicorn 2 stopped, gunicorn 1 restarted" if phase == "only-g1" else "gunicorn 1 stopped"
    before = served(log)
    statuses = use_dashboard(20)
    check(all(s == 200 for s in statuses) and served(log) - before == 20 and cookies.get("sessionid") == state["session"],
          f"{stopped}: the same session, 20 requests {sorted(set(map(str, statuses)))}, "
          f"{served(log) - before} served by {alone}")
EOF

export PORT NGINX_ECHO_PORT CLIENT_ADDR TMP PATIENT=$patient OTHER=$other
crashed=0
"$PY" "$TMP/client.py" main || crashed=1
stop g1
"$PY" "$TMP/client.py" only-g2 || crashed=1
start_gunicorn g1 "$G1"; wait_for "$G1"
sleep 11   # nginx leaves a failed server out for fail_timeout (10 s)
stop g2
"$PY" "$TMP/client.py" only-g1 || crashed=1

# --- the logs
failures=0 passes=0
pass() { echo "PASS: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
stop nginx; stop echo; stop echoapp
nginx_logs=("$TMP/nginx.out" "$TMP/nginx.err" "$TMP/echo.out" "$TMP/echo.err")
lines=$(grep -c '^"GET /dashboard/' "$TMP/nginx.out" || true)
if [ "$lines" -ge 100 ]; then pass "nginx access log has the dashboard requests ($lines lines), e.g. $(grep -m1 '^"GET /dashboard/data.json' "$TMP/nginx.out")"
else fail "nginx access log has only $lines dashboard lines"; fi
if grep -qE '127\.0\.0\.|203\.0\.113\.7' "${nginx_logs[@]}"; then fail "an address in nginx's logs: $(grep -hE '127\.0\.0\.|203\.0\.113\.7' "${nginx_logs[@]}" | head -3)"
else pass "no client address in nginx's logs (client $CLIENT_ADDR, forwarded 203.0.113.7)"; fi
if grep -q 'unique-user-agent-marker' "${nginx_logs[@]}"; then fail "the user agent is in nginx's logs"; else pass "no user agent in nginx's logs"; fi
if grep -qE '/c/|/api/v1/links/' "${nginx_logs[@]}"; then fail "a collection URL in nginx's logs: $(grep -hE '/c/|/api/v1/links/' "${nginx_logs[@]}" | head -3)"
else pass "no collection URL in nginx's logs (collection page, API 201/200/413/429 all sent)"; fi
if grep -qE '[0-9]{2}:[0-9]{2}:[0-9]{2}|[0-9]{4}/[0-9]{2}/[0-9]{2}' "$TMP/nginx.out" "$TMP/echo.out"; then fail "a time in nginx's access log"; else pass "no time in nginx's access log"; fi
if grep -hE '^"' "$TMP/g1.log" "$TMP/g2.log" | grep -qE '/c/|/api/v1/links/|127\.0\.0\.'; then fail "a collection URL or address in the gunicorn access logs"
else pass "no collection URL or address in the gunicorn access logs"; fi
# Not the proxy's doing, so a warning rather than a failure: Django's own
# "django.request" logger names the URL of every 4xx/5xx answer, collection ones
# included (e.g. "Too Many Requests: /api/v1/links/<token>/responses"), and a
# container's log driver stamps each line with a time.
app_lines=$(grep -hvE '^"' "$TMP/g1.log" "$TMP/g2.log" | grep -E '/c/|/api/v1/links/' | sort | uniq -c | sort -rn | head -3 || true)
if [ -n "$app_lines" ]; then
  echo "WARN: the application log (not the access log) names collection URLs; see LOGGING in peersurvey/settings.py:"
  printf '%s\n' "$app_lines" | sed 's/^/WARN:   /'
fi
if grep -q Traceback "$TMP/g1.log" "$TMP/g2.log"; then fail "a gunicorn logged an error: $(grep -h -A3 Traceback "$TMP/g1.log" "$TMP/g2.log" | head -8)"
else pass "no errors in the gunicorn logs"; fi

read -r client_passed client_failed < <("$PY" -c 'import json,sys
try:
    s = json.load(open(sys.argv[1])); print(s["passed"], s["failed"])
except (OSError, ValueError):
    print(0, 0)' "$TMP/client-state.json")
passes=$((passes + client_passed)); failures=$((failures + client_failed))
[ "$crashed" -eq 0 ] || fail "the check client stopped with an error (its traceback is above)"
echo
echo "scaleout: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
