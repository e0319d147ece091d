#!/bin/sh
# One backup of the PostgreSQL database, in pg_dump's custom format (compressed, and
# pg_restore can restore it whole or table by table). docs/operations.md, "Backups".
#
#   scripts/backup.sh DATABASE_URL FILE
#   scripts/backup.sh postgres://peersurvey@db:5432/peersurvey backups/peersurvey-$(date +%F).dump
#
# The file holds every answer, patients' free text included: it is written readable by
# its owner only. The password may stay out of the URL (and so out of `ps`): libpq
# reads PGPASSWORD or ~/.pgpass. The dump goes to FILE.partial first and is renamed
# only once pg_restore can read it back, so FILE is never a half-written dump.
set -eu

usage() {
    echo "usage: scripts/backup.sh DATABASE_URL FILE" >&2
    echo "  e.g. scripts/backup.sh postgres://peersurvey@db:5432/peersurvey backups/peersurvey-\$(date +%F).dump" >&2
    exit 2
}
fail() {
    echo "backup.sh: $*" >&2
    exit 2
}

[ $# -eq 2 ] || usage
url=$1
file=$2
case $url in
    postgres://* | postgresql://*) ;;
    -*) usage ;;
    *) fail "DATABASE_URL must start with postgres:// or postgresql:// (only PostgreSQL is backed up this way)." ;;
esac
[ -n "$file" ] || usage
case $file in -*) usage ;; esac
dir=$(dirname -- "$file")
[ -d "$dir" ] || fail "no folder $dir for the backup: make it first (and keep it readable by its owner only)."
[ -w "$dir" ] || fail "cannot write in $dir."
command -v pg_dump >/dev/null || fail "pg_dump not found: install the PostgreSQL client, the same major version as the server or newer."

umask 077
partial="$file.partial"
trap 'rm -f -- "$partial"' EXIT
pg_dump --format=custom --dbname="$url" --file="$partial"
pg_restore --list -- "$partial" >/dev/null || fail "the dump just written cannot be read back; $file left as it was."
mv -f -- "$partial" "$file"
trap - EXIT
echo "backup.sh: wrote $file ($(wc -c <"$file" | tr -d ' ') bytes)"
