#!/usr/bin/env bash
# Mail intake at volume (issue 14). Usage: bench/mail.sh [mails] [limit seconds]  (default 1,000 mails, 90 s)
# A GreenMail IMAP/SMTP server holding N guest-history mails (half body lines, half a small CSV attachment),
# then a fresh Dangan reading it, timed from its start until every mail is filed and answered. The floor, in
# the same run: GreenMail alone doing the mailbox work as Dangan does it (listed, fetched whole and moved a
# batch at a time, as many replies over as many kept SMTP connections), without filing; and the ratio. The
# run stops at the time limit and then prints the rate reached and what 1,000 mails would take (about 3 minutes in all).
# GreenMail is a test dependency, so the test class path is used (target/classes, not the jar: its lib/ would bring the database binaries twice).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/dangan.jar ] && [ -f target/test-classes/dangan/bench/MailBenchmark.class ] || ./mvnw -q -B package -DskipTests
CP="$(./mvnw -q -B -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/dev/stdout)"
exec java -Xmx512m -cp "target/classes:target/test-classes:$CP" dangan.bench.MailBenchmark "${1:-1000}" "${2:-90}"
