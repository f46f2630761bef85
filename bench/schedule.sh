#!/usr/bin/env bash
# Scheduled-job benchmark (issue 4: each job ≤ 1.5× its SQL run directly in psql, with -Xmx512m).
# Usage: bench/schedule.sh [archives] [consumption] [JOB...]
# Builds the jar if needed, fills a fresh embedded PostgreSQL (or DANGAN_DB_URL) with [archives]
# (default 1,000,000) and [consumption] records (default 10,000,000) using generate_series, then
# times each JOB (default: annual-tier-review visit-plan) through the service next to its
# src/main/resources/sql/JOB.sql in psql. A job without a script on this branch is skipped with a note.
set -euo pipefail
cd "$(dirname "$0")/.."
# the benchmarks are not in the jar: they are compiled with the tests (src/bench/java → target/test-classes)
[ -f target/dangan.jar ] && [ -f target/test-classes/dangan/bench/ScheduleBenchmark.class ] || ./mvnw -q -B package -DskipTests
exec java -Xmx512m -cp target/dangan.jar:target/test-classes dangan.bench.ScheduleBenchmark "${1:-1000000}" "${2:-10000000}" "${@:3}"
