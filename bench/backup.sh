#!/usr/bin/env bash
# Backup and restore benchmark (D-29). Usage: bench/backup.sh [archives] [consumption]
# Builds the jar if needed, fills a fresh embedded PostgreSQL with [archives] (default 1,000,000;
# 10 % with an encrypted ID number, 20 % with a health fact, a data key each) and [consumption]
# records (default 10,000,000), then times the backup job and the restore into an empty database
# (JVM -Xmx512m: both stream), next to a plain COPY of the same tables and pg_dump/pg_restore.
set -euo pipefail
cd "$(dirname "$0")/.."
# the benchmarks are not in the jar: they are compiled with the tests (src/bench/java → target/test-classes)
[ -f target/dangan.jar ] && [ -f target/test-classes/dangan/bench/BackupBenchmark.class ] || ./mvnw -q -B package -DskipTests
exec java -Xmx512m -cp target/dangan.jar:target/test-classes dangan.bench.BackupBenchmark "${1:-1000000}" "${2:-10000000}"
