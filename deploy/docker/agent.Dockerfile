# The sandbox image triage Jobs run: the agent CLIs at pinned versions, kubectl, and the read-only Kubernetes MCP
# server, on the current Node LTS. It runs as an unprivileged user with a read-only root filesystem (the Job
# mounts /workspace and /tmp as writable emptyDirs).
FROM node:22-bookworm-slim

ARG KUBECTL_VERSION=v1.36.3
ARG CLAUDE_CODE_VERSION=2.1.332
ARG CODEX_VERSION=0.169.0
ARG GEMINI_CLI_VERSION=0.61.0
ARG GOOSE_VERSION=1.52.0
ARG KUBERNETES_MCP_SERVER_VERSION=0.0.67

RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl git jq \
 && curl -fsSLo /usr/local/bin/kubectl "https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/amd64/kubectl" \
 && chmod 0755 /usr/local/bin/kubectl \
 && apt-get purge -y curl && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*

RUN npm install -g --no-audit --no-fund \
      "@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}" \
      "@openai/codex@${CODEX_VERSION}" \
      "@google/gemini-cli@${GEMINI_CLI_VERSION}" \
      "@aaif/goose-binary-linux-x64@${GOOSE_VERSION}" \
      "kubernetes-mcp-server@${KUBERNETES_MCP_SERVER_VERSION}" \
 && ln -s "$(npm root -g)/@aaif/goose-binary-linux-x64/bin/goose" /usr/local/bin/goose \
 && npm cache clean --force

COPY skills/ /opt/watchkeeper/skills/
# The deny policy and its hook/kubectl-guard entry point (plain Node, no dependencies).
COPY runners/hooks/ /opt/watchkeeper/hooks/

RUN groupadd --gid 10001 agent && useradd --uid 10001 --gid 10001 --home-dir /workspace --no-create-home agent
USER 10001:10001
WORKDIR /workspace
ENV HOME=/workspace NODE_ENV=production
