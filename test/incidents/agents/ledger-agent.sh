#!/bin/sh
# A stand-in agent command for scheduling tests (cheap to start, so 200 runs stay quick on 2 cores): notes when it
# starts and ends in a shared ledger file, so a test can prove no incident's triage ran twice.
set -eu
line() { echo "$1 $WATCHKEEPER_INCIDENT_ID $WATCHKEEPER_RUN_ID $(date +%s%3N)" >> "$LEDGER"; }
line start
sleep "$(awk "BEGIN { print ${AGENT_MS:-500} / 1000 }")"
line end
if [ "${AGENT_FAIL:-0}" = 1 ]; then exit 3; fi
