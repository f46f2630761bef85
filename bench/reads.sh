#!/usr/bin/env bash
# Reads under load (issue 14). Usage: bench/reads.sh [clients] [seconds]  (default 32 clients, 60 s)
# Files test-data/registrations/daily-report-gbk.csv into a fresh Dangan (durable embedded
# PostgreSQL), adds a service user, then [clients] concurrent HTTP clients read one archive with
# health data (authenticated, role-filtered, decrypted, audited) for [seconds]; the baseline, the
# same load on GET /api/me (authentication alone), in the same run. Prints reads/s, p50/p95/p99,
# the reads audited and the audit commits per read.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/dangan.jar ] && [ -f target/test-classes/dangan/bench/ReadsBenchmark.class ] || ./mvnw -q -B package -DskipTests
exec java -Xmx512m -cp target/dangan.jar:target/test-classes dangan.bench.ReadsBenchmark "${1:-32}" "${2:-60}"
