# The sandbox image triage Jobs run: Watchkeeper's in-pod runner (its entry point) with the agent CLIs at pinned
# versions, kubectl and the read-only Kubernetes MCP server, on Node 24 LTS. It runs as an unprivileged user with a
# read-only root filesystem (the Job mounts /workspace and /tmp as writable emptyDirs).
#
# Build from the repository root (the in-pod runner is a generated bundle: `npm run pod-runner:build` first):
#   docker build -f deploy/docker/agent.Dockerfile -t watchkeeper-agent .
#
# What goes in is listed once, in deploy/docker/agent-image.json: the pins, the copies, the user, the entry point.
# The test harness builds the same image from that list with buildah (test/harness/images/build-agent-image.sh)
# and test/jobs/agent-image-list.test.ts fails when this file and the list disagree.
FROM node:24-bookworm-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates git jq \
 && rm -rf /var/lib/apt/lists/*

# The agent CLIs, kubernetes-mcp-server and kubectl, at the list's pins.
COPY deploy/docker/agent-image.json deploy/docker/install-agent-tools.mjs /tmp/agent-image/
RUN node /tmp/agent-image/install-agent-tools.mjs /tmp/agent-image/agent-image.json \
 && rm -rf /tmp/agent-image && npm cache clean --force

# The skills and prompt the workspace is prepared from, the deny policy with its hook/kubectl-guard entry point,
# the process-group guard the runner starts the CLI under, and the in-pod runner (one plain .mjs, no dependencies): the repository's layout under /opt/watchkeeper, which
# the bundle resolves these files against (runners/pod/dist/ is three levels below the root).
COPY skills/ /opt/watchkeeper/skills/
COPY prompts/ /opt/watchkeeper/prompts/
COPY runners/hooks/ /opt/watchkeeper/runners/hooks/
COPY runners/local/sandbox-guard.mjs /opt/watchkeeper/runners/local/sandbox-guard.mjs
COPY runners/pod/dist/pod-runner.mjs /opt/watchkeeper/runners/pod/dist/pod-runner.mjs

RUN groupadd --gid 10001 agent && useradd --uid 10001 --gid 10001 --home-dir /workspace --no-create-home agent
USER 10001:10001
WORKDIR /workspace
ENV HOME=/workspace NODE_ENV=production
ENTRYPOINT ["node", "/opt/watchkeeper/runners/pod/dist/pod-runner.mjs"]
