# Watchkeeper itself. Build from the repository root: docker build -f deploy/docker/watchkeeper.Dockerfile .
FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:22-bookworm-slim
# bubblewrap: the local agent sandbox (it needs user namespaces in the container; else run agents as Jobs)
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap && rm -rf /var/lib/apt/lists/*
RUN groupadd --gid 10001 watchkeeper && useradd --uid 10001 --gid 10001 --no-create-home watchkeeper
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bot ./bot
COPY core ./core
COPY listeners ./listeners
COPY runners ./runners
COPY prompts ./prompts
COPY skills ./skills
COPY migrations ./migrations
USER 10001:10001
ENV NODE_ENV=production WATCHKEEPER_CONFIG=/etc/watchkeeper/watchkeeper.yaml
EXPOSE 8787
ENTRYPOINT ["node", "bot/cli/watchkeeper.mjs"]
CMD ["start"]
