#!/bin/sh
# A stand-in agent that works the way agent CLIs do while a person resolves the incident: it runs tools that start
# their own children, one of which ignores SIGTERM (so only the SIGKILL after the grace period ends it), and it
# would keep going for ten minutes. The ledger says when it started and whether it ever got to the end.
set -eu
line() { echo "$1 $WATCHKEEPER_INCIDENT_ID $WATCHKEEPER_RUN_ID $(date +%s%3N)" >> "$LEDGER"; }
line start
sh -c 'sleep 600 & sleep 600 & wait' &
sh -c 'trap "" TERM; sleep 600' &
sleep 600 &
wait
line end
