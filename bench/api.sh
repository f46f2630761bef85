#!/usr/bin/env bash
# Archive API benchmark: N sequential reads (default 1,000) of one archive with health data,
# through the real service, by a service-staff user (basic + preferences + health, decrypted),
# each read authenticated and audited (one audit_log entry per read, hash-chained).
# Usage: bench/api.sh [reads]
# Builds the jar if needed, files test-data/registrations/daily-report-gbk.csv into a fresh
# DANGAN_HOME with the embedded PostgreSQL, adds a user, starts the service on a free port, then
# times the reads with one curl (one keep-alive connection, requests one after another).
set -euo pipefail
cd "$(dirname "$0")/.."
READS="${1:-1000}"
[ -f target/dangan.jar ] || ./mvnw -q -B package -DskipTests
export DANGAN_HOME="$(mktemp -d -t dangan-api-bench-XXXXXX)"
export DANGAN_HTTP_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("",0)); print(s.getsockname()[1])')"
mkdir -p "$DANGAN_HOME/inbox/registrations"
cp test-data/registrations/daily-report-gbk.csv "$DANGAN_HOME/inbox/registrations/"
java -jar target/dangan.jar --once >"$DANGAN_HOME/once.log" 2>&1
TOKEN="$(java -jar target/dangan.jar user add bench.service --role service 2>/dev/null | tail -1)"
java -Xmx512m -jar target/dangan.jar >"$DANGAN_HOME/service.log" 2>&1 &
SERVICE=$!
trap 'status=$?; kill $SERVICE 2>/dev/null; wait $SERVICE 2>/dev/null || true; rm -rf "$DANGAN_HOME"; exit $status' EXIT
BASE="http://localhost:$DANGAN_HTTP_PORT/api"
for _ in $(seq 1 120); do
  curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "$BASE/me" && break
  sleep 0.5
done
ARCHIVE="$(curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/archives?mobile=13800138000" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["archives"][0]["archive_no"])')"
# one warm-up read, checked: health is there, decrypted
curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/archives/$ARCHIVE" | python3 -c '
import json, sys
a = json.load(sys.stdin)
assert a["health"] and a["health"][0]["detail"], a
print("archive", a["archive_no"], "categories", ",".join(a["categories"]), "health facts", len(a["health"]))'
URLS="$DANGAN_HOME/urls.txt"
for _ in $(seq 1 "$READS"); do echo "url = \"$BASE/archives/$ARCHIVE?purpose=bench\""; echo "output = /dev/null"; done >"$URLS"
START=$(date +%s.%N)
curl -sf -H "Authorization: Bearer $TOKEN" -K "$URLS" -w '%{http_code}\n' >"$DANGAN_HOME/codes.txt"
END=$(date +%s.%N)
OK=$(grep -c '^200$' "$DANGAN_HOME/codes.txt" || true)
# the same number of GET /api/me (authentication only, no archive, no audit entry) for comparison
for _ in $(seq 1 "$READS"); do echo "url = \"$BASE/me\""; echo "output = /dev/null"; done >"$URLS"
ME_START=$(date +%s.%N)
curl -sf -H "Authorization: Bearer $TOKEN" -K "$URLS" -w '%{http_code}\n' >/dev/null
ME_END=$(date +%s.%N)
python3 -c "
t = $END - $START
print(f'reads                 {$READS:,} sequential (one connection)')
print(f'answered 200          {$OK:,}')
print(f'total                 {t:.2f} s')
print(f'per read              {t * 1000 / $READS:.2f} ms  ({$READS / t:,.0f} reads/s)')
m = $ME_END - $ME_START
print(f'GET /api/me, same N   {m:.2f} s  ({m * 1000 / $READS:.2f} ms each: authentication alone)')"
