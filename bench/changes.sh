#!/usr/bin/env bash
# Everyday files against a large archive (issue 14). Usage: bench/changes.sh [base] [largest file]
# Files a base of [base] customers (default 1,000,000) through the real route into a fresh embedded
# PostgreSQL (or DANGAN_DB_URL), then drops files of 1,000, 10,000, … up to [largest file] lines
# (default: the base) — known customers at a new address, known customers with a new visit, new
# customers — and a 1,000-line daily report (500 known with a new address, 500 new). Prints each
# ingest time (ledger: read → filed), its floor (the same file COPYed and filed by hand-written
# set-based SQL in the same database, rolled back), the ratio and the lines per second.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/dangan.jar ] && [ -f target/test-classes/dangan/bench/ChangesBenchmark.class ] || ./mvnw -q -B package -DskipTests
exec java -Xmx512m -cp target/dangan.jar:target/test-classes dangan.bench.ChangesBenchmark "${1:-1000000}" "${2:-${1:-1000000}}"
