#!/usr/bin/env bash
# Fault trials at full size (issue 15): the `faults` test group with 100,000-line files and 12 kill -9
# moments over the ingest, each hit exactly (reading, COPY early and late, COPY complete, three merge
# steps, merged, before and right after the commit, report written, moved to done/), the SIGTERM /
# kill -9 trials on the embedded database, the database cut mid-file, restarts (fast and immediate) under an
# API burst and of a scheduled job stopped mid-run, ANALYZE of uncommitted staging, full disks, two instances,
# and the backup and restore kill moments. Prints every trial's line
# and the summary (FAULT TRIALS: N run, N held, 0 broken). Usage: bench/faults.sh [lines] [kills]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -ntp test -Dgroups=faults -Dfaults.lines="${1:-100000}" -Dfaults.kills="${2:-12}" \
    -Djunit.jupiter.execution.parallel.enabled=false 2>&1 | grep -E '^TRIAL|^FAULT TRIALS|Tests run:|FAIL|BUILD'
