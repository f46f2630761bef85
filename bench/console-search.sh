#!/usr/bin/env bash
# The console's look-up at scale (issue 13: ≤ 300 ms a search at 1,000,000 archives).
# Usage: bench/console-search.sh [archives] [searches per kind]   (defaults 1,000,000 and 100)
# Builds the jar if needed, files that many generated registrations into a fresh embedded
# PostgreSQL (about a minute per million on the 2-core machine), signs a front-desk user in to the
# console and times the look-up's searches over HTTP: by mobile, whole name, name beginning, archive number.
set -euo pipefail
cd "$(dirname "$0")/.."
# the benchmarks are not in the jar: they are compiled with the tests (src/bench/java → target/test-classes)
[ -f target/dangan.jar ] && [ -f target/test-classes/dangan/bench/ConsoleSearchBenchmark.class ] || ./mvnw -q -B package -DskipTests
exec java -Xmx1g -cp target/dangan.jar:target/test-classes dangan.bench.ConsoleSearchBenchmark "${1:-1000000}" "${2:-100}"
