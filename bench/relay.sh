#!/usr/bin/env bash
# Work-chat relay benchmark: how long claiming one robot's next messages takes (its rate window and
# its queue in event order) with [deliveries] rows of delivery history (default 1,000,000).
# Usage: bench/relay.sh [deliveries]
set -euo pipefail
cd "$(dirname "$0")/.."
# the benchmarks are not in the jar: they are compiled with the tests (src/bench/java → target/test-classes)
[ -f target/dangan.jar ] && [ -f target/test-classes/dangan/bench/RelayBenchmark.class ] || ./mvnw -q -B package -DskipTests
exec java -Xmx512m -cp target/dangan.jar:target/test-classes dangan.bench.RelayBenchmark "${1:-1000000}"
