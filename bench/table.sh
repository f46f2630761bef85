#!/usr/bin/env bash
# The README's ingest table (issue 14). Usage:
#   bench/table.sh [--base N] [--million] [--sizes 1000,10000,100000] [--kinds new,changed,visit,new-id] [--daily N] [--cache DIR] [--rebuild] [--no-settle]
# On an archive base of N customers (default 1,000,000; filed once through the real route and kept in
# target/bench-cache/base-N-V<schema>, each run starts on a copy; --rebuild files it again), drops files
# of 1,000, 10,000 and 100,000 lines (--million adds 1,000,000) of new customers, of known customers at a
# new address and of known customers with a new visit (--kinds: only these; new-id, new customers with an ID number
# each, only when named), then --daily (default 3) daily reports of 1,000
# lines (500 known with a new address, 500 new). Prints a Markdown table: each ingest time (ledger: read → filed), drop → done, its
# floor (the same file COPYed and filed by hand-written set-based SQL in the same database, rolled back),
# the ratio and the lines per second, with the date, machine and load average. Before each file the archive is vacuumed
# and analysed, and after each floor its rolled-back rows vacuumed, each followed by a checkpoint (untimed), so the two
# meet the same archive and autovacuum runs during neither; --no-settle: not (as before round 8).
set -euo pipefail
cd "$(dirname "$0")/.."
# the benchmarks are not in the jar: they are compiled with the tests (src/bench/java → target/test-classes)
# (built again when a source is newer than the jar: the figures must be of the code checked out)
if [ ! -f target/dangan.jar ] || [ ! -f target/test-classes/dangan/bench/TableBenchmark.class ] \
   || [ -n "$(find src pom.xml -newer target/dangan.jar -print -quit)" ]; then
  ./mvnw -q -B package -DskipTests
fi
exec java -Xmx512m -cp target/dangan.jar:target/test-classes dangan.bench.TableBenchmark "$@"
