#!/usr/bin/env bash
# Mail intake at volume (issue 14). Usage: bench/mail.sh [mails] [limit seconds]  (default 1,000 mails, 120 s)
# A GreenMail IMAP/SMTP server and a fresh Dangan reading it: N guest-history mails (half body lines,
# half a small CSV attachment) delivered at once, timed until every one is filed and answered; the
# baseline, in the same run: reading the same mails over IMAP and sending N replies, without filing. The run stops
# at the time limit and then prints the rate reached and what 1,000 mails would take (about 3 minutes in all).
# GreenMail is a test dependency, so the test class path is used (target/classes, not the jar: its lib/ would bring the database binaries twice).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/dangan.jar ] && [ -f target/test-classes/dangan/bench/MailBenchmark.class ] || ./mvnw -q -B package -DskipTests
CP="$(./mvnw -q -B -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/dev/stdout)"
exec java -Xmx512m -cp "target/classes:target/test-classes:$CP" dangan.bench.MailBenchmark "${1:-1000}" "${2:-120}"
