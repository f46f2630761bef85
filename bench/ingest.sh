#!/usr/bin/env bash
# Ingest benchmark (issue 14: 1,000,000 new customers ≤ 1.3× the floor, with -Xmx512m). Usage: bench/ingest.sh [rows] [--no-check] [--no-settle]
# Builds the jar if needed, then generates a registration file of [rows] lines (default
# 1,000,000), ingests it through the real route into a fresh embedded PostgreSQL (or
# DANGAN_DB_URL), and prints the ingest time next to COPY / psql \copy of the same file.
set -euo pipefail
cd "$(dirname "$0")/.."
# the benchmarks are not in the jar: they are compiled with the tests (src/bench/java → target/test-classes)
[ -f target/dangan.jar ] && [ -f target/test-classes/dangan/bench/IngestBenchmark.class ] || ./mvnw -q -B package -DskipTests
exec java -Xmx512m -cp target/dangan.jar:target/test-classes dangan.bench.IngestBenchmark "${@:-1000000}"
