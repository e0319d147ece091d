#!/bin/sh
# The compose stack's `housekeeping` service (docs/operations.md, "Housekeeping"): once at
# start and then every day, expired dashboard sessions are deleted (clearsessions) and, when
# PEERSURVEY_RETENTION_MONTHS is set, responses older than that many whole months are
# purged with their answers (purge_responses, audited as PEERSURVEY_OPERATOR). No retention
# is set by default: deleting answers is the trust's decision, under its records policy.
# One line per run, with counts only: no address, no answer.
#
#   scripts/housekeeping.sh          every HOUSEKEEPING_INTERVAL_SECONDS (a day), until stopped
#   scripts/housekeeping.sh --once   one run (a test, or a host's cron line)
set -u
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}
INTERVAL=${HOUSEKEEPING_INTERVAL_SECONDS:-86400}

# The first day of the month `months` whole months before this one: a purge keeps whole months.
cutoff() {
    "$PYTHON" -c 'import datetime, sys
today = datetime.date.today()
year, month = divmod(today.year * 12 + today.month - 1 - int(sys.argv[1]), 12)
print(datetime.date(year, month + 1, 1).isoformat())' "$1"
}

run_once() {
    status=0
    if out=$("$PYTHON" manage.py clearsessions 2>&1); then
        sessions="expired sessions cleared"
    else
        sessions="clearsessions failed: $(printf '%s\n' "$out" | tail -n 1)"
        status=1
    fi
    months=${PEERSURVEY_RETENTION_MONTHS:-}
    case $months in
        "") purge="no purge (PEERSURVEY_RETENTION_MONTHS not set)" ;;
        *[!0-9]* | 0*)
            purge="no purge: PEERSURVEY_RETENTION_MONTHS must be a whole number of months, 1 or more"
            status=1
            ;;
        *)
            if out=$("$PYTHON" manage.py purge_responses --before "$(cutoff "$months")" --yes 2>&1); then
                purge=$(printf '%s\n' "$out" | tail -n 1)
            else
                purge="purge_responses failed: $(printf '%s\n' "$out" | tail -n 1)"
                status=1
            fi
            ;;
    esac
    echo "housekeeping: $sessions; $purge"
    return $status
}

case $# in
    0) ;;
    1) [ "$1" = "--once" ] || { echo "usage: scripts/housekeeping.sh [--once]" >&2; exit 2; }
       run_once
       exit $? ;;
    *) echo "usage: scripts/housekeeping.sh [--once]" >&2; exit 2 ;;
esac

# PID 1 in a container: `docker-compose stop` ends the wait at once (a run under way finishes its step first).
trap 'exit 0' TERM INT
while :; do
    run_once || true
    sleep "$INTERVAL" &
    wait $!
done
