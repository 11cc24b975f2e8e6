#!/usr/bin/env bash
# Read-only first look at a pod (every container's state, last termination, previous logs, probes, resources,
# config references, owners, events, node). Usage: pod-summary.sh NAMESPACE POD [--tail N]
exec node "$(dirname "$0")/pod-summary.mjs" "$@"
