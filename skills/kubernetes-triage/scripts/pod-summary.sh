#!/usr/bin/env bash
# Read-only first look at a pod: status, last termination, recent events, previous logs. Usage: pod-summary.sh NS POD
set -euo pipefail
ns="${1:?namespace}" pod="${2:?pod}"
echo "== pod"; kubectl get pod "$pod" -n "$ns" -o wide
echo "== containers"; kubectl get pod "$pod" -n "$ns" -o jsonpath='{range .status.containerStatuses[*]}{.name}{"\t"}{.restartCount}{"\t"}{.state}{"\t"}{.lastState}{"\n"}{end}'
echo "== events"; kubectl get events -n "$ns" --field-selector "involvedObject.name=$pod" --sort-by=.lastTimestamp | tail -n 20
echo "== previous logs"; kubectl logs "$pod" -n "$ns" --all-containers --previous --tail=50 2>&1 || true
