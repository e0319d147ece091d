#!/bin/sh
# Puts a backup made by scripts/backup.sh back into a PostgreSQL database, replacing
# the tables it holds (docs/operations.md, "Restoring"). All or nothing: one
# transaction, so a failed restore leaves the database as it was.
#
#   scripts/restore.sh [--yes] DATABASE_URL FILE
#
# Asks first at a terminal; elsewhere (a script, a container) it needs --yes.
# Stop the web and housekeeping containers first, so nothing writes meanwhile.
set -eu

usage() {
    echo "usage: scripts/restore.sh [--yes] DATABASE_URL FILE" >&2
    echo "  e.g. scripts/restore.sh postgres://peersurvey@db:5432/peersurvey backups/peersurvey-2027-01-31.dump" >&2
    exit 2
}
fail() {
    echo "restore.sh: $*" >&2
    exit 2
}

yes=0
if [ "${1:-}" = "--yes" ]; then
    yes=1
    shift
fi
[ $# -eq 2 ] || usage
url=$1
file=$2
case $url in
    postgres://* | postgresql://*) ;;
    -*) usage ;;
    *) fail "DATABASE_URL must start with postgres:// or postgresql://." ;;
esac
case $file in -* | "") usage ;; esac
[ -f "$file" ] || fail "no file $file."
[ -r "$file" ] || fail "cannot read $file."
command -v pg_restore >/dev/null || fail "pg_restore not found: install the PostgreSQL client."
pg_restore --list -- "$file" >/dev/null 2>&1 || fail "$file is not a backup made by scripts/backup.sh (pg_dump --format=custom)."

# Where it goes, without the password.
target=$(printf '%s\n' "$url" | sed -e 's#^[a-z]*://##' -e 's#^[^@/]*@##' -e 's#?.*$##')
if [ "$yes" -ne 1 ]; then
    [ -t 0 ] || fail "not at a terminal, so nothing to confirm with: add --yes to replace the tables of $target."
    printf "Replace every table of %s with the contents of %s? Type 'yes' to continue: " "$target" "$file"
    read -r answer
    [ "$answer" = "yes" ] || { echo "Nothing restored."; exit 1; }
fi
pg_restore --clean --if-exists --no-owner --single-transaction --dbname="$url" -- "$file"
echo "restore.sh: restored $file into $target"
