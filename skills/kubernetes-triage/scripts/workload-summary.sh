#!/usr/bin/env bash
# Read-only "what changed" on a workload (conditions, revisions and the template diff, pods, HPA, PDB, quota,
# LimitRange, ConfigMaps' last change, events). Usage: workload-summary.sh NAMESPACE KIND/NAME
exec node "$(dirname "$0")/workload-summary.mjs" "$@"
