#!/usr/bin/env bash
# Builds the test harness's Go binaries from their upstream Go modules, once per version, into a cache outside
# the repository (WATCHKEEPER_CACHE, default ~/.cache/watchkeeper). Reruns skip what is already built.
# Prints what it builds and how long each step took.
set -euo pipefail

CACHE="${WATCHKEEPER_CACHE:-$HOME/.cache/watchkeeper}"
K8S_VERSION="${K8S_VERSION:-v1.36.3}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
KWOK_VERSION="${KWOK_VERSION:-v0.8.0}"
VERSITYGW_VERSION="${VERSITYGW_VERSION:-v1.8.0}"
STAGING_VERSION="v0${K8S_VERSION#v1}"

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
# The agent CLIs the triage tests drive and the MCP server: the agent image's pins (deploy/docker/agent-image.json,
# which agent.Dockerfile follows too).
AGENT_IMAGE_LIST="$REPO/deploy/docker/agent-image.json"
list_query() { node "$HERE/images/agent-image-list.mjs" "$AGENT_IMAGE_LIST" "$@"; }
pin() { list_query tools | awk -v name="$1" '$1 == name { print $2 }'; }
KUBERNETES_MCP_SERVER_VERSION="${KUBERNETES_MCP_SERVER_VERSION:-$(pin kubernetes-mcp-server)}"
CLAUDE_CODE_VERSION="${CLAUDE_CODE_VERSION:-$(pin claude-code)}"
CODEX_VERSION="${CODEX_VERSION:-$(pin codex)}"
GEMINI_CLI_VERSION="${GEMINI_CLI_VERSION:-$(pin gemini-cli)}"
GOOSE_VERSION="${GOOSE_VERSION:-$(pin goose)}"
BIN="$CACHE/bin"
SRC="$CACHE/src"
mkdir -p "$BIN" "$SRC"
export GOFLAGS="${GOFLAGS:--buildvcs=false}" CGO_ENABLED=0

step() { # step NAME MARKER COMMAND...
  local name="$1" marker="$2"; shift 2
  if [[ -x "$marker" || -f "$marker" ]]; then return; fi
  echo "harness: building $name (cold builds take minutes on 2 cores)..."
  local started=$SECONDS
  "$@"
  echo "harness: built $name in $((SECONDS - started))s"
}

build_go_install() { # module@version binary-name
  local dir="$BIN/$2"
  mkdir -p "$dir"
  GOBIN="$dir" go install "$1" 2>&1 | { grep -v '^go: downloading' || true; }
}

# kwok plus what it needs from its module: the Stage CRD and the stock "fast" node and pod stages and the node heartbeat, which the
# harness applies to the apiserver (kwok runs with --enable-crds=Stage so tests can add their own stages).
build_kwok() {
  local dir="$BIN/kwok-$KWOK_VERSION" module
  build_go_install "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" "kwok-$KWOK_VERSION"
  module="$(go env GOMODCACHE)/sigs.k8s.io/kwok@$KWOK_VERSION"
  mkdir -p "$dir/stages"
  cp "$module/kustomize/crd/bases/kwok.x-k8s.io_stages.yaml" "$dir/stage-crd.yaml"
  cp "$module"/kustomize/stage/node/fast/node-*.yaml "$module"/kustomize/stage/node/heartbeat/node-*.yaml \
    "$module"/kustomize/stage/pod/fast/pod-*.yaml "$dir/stages/"
  chmod -R u+w "$dir"
}

build_etcd() {
  local dir="$SRC/etcd-$ETCD_VERSION"
  mkdir -p "$dir"
  cat >"$dir/main.go" <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  (cd "$dir" && { [[ -f go.mod ]] || go mod init watchkeeper.test/etcd >/dev/null 2>&1; } &&
    go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >/dev/null 2>&1 && go mod tidy >/dev/null 2>&1 &&
    go build -o "$BIN/etcd-$ETCD_VERSION/etcd" .)
}

build_kubernetes() {
  local dir="$SRC/kubernetes-$K8S_VERSION" gomod
  mkdir -p "$dir"
  gomod="$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^\s*"GoMod": "\(.*\)",$/\1/p')"
  {
    echo "module watchkeeper.test/kubernetes"
    echo
    echo "go 1.26.0"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    grep -E '^\s*k8s.io/[a-z-]+ v0\.0\.0$' "$gomod" | awk -v v="$STAGING_VERSION" '{print "replace " $1 " => " $1 " " v}'
  } >"$dir/go.mod"
  local version_pkg="k8s.io/component-base/version"
  local ldflags="-s -w -X $version_pkg.gitVersion=$K8S_VERSION -X $version_pkg.gitMajor=1"
  ldflags+=" -X $version_pkg.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2)"
  (cd "$dir" &&
    go get "k8s.io/kubernetes/cmd/kube-apiserver@$K8S_VERSION" "k8s.io/kubernetes/cmd/kube-controller-manager@$K8S_VERSION" \
      "k8s.io/kubernetes/cmd/kube-scheduler@$K8S_VERSION" 2>&1 | grep -v '^go: downloading' || true) &&
  (cd "$dir" &&
    go build -ldflags "$ldflags" -o "$BIN/kubernetes-$K8S_VERSION/" k8s.io/kubernetes/cmd/kube-apiserver \
      k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler)
}

build_kubelet() {
  local dir="$SRC/kubernetes-$K8S_VERSION"
  [[ -f "$dir/go.mod" ]] || { echo "harness: $dir/go.mod missing (the kubernetes step writes it)" >&2; return 1; }
  local version_pkg="k8s.io/component-base/version"
  local ldflags="-s -w -X $version_pkg.gitVersion=$K8S_VERSION -X $version_pkg.gitMajor=1"
  ldflags+=" -X $version_pkg.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2)"
  (cd "$dir" && { go get "k8s.io/kubernetes/cmd/kubelet@$K8S_VERSION" 2>&1 | grep -v '^go: downloading' || true; } &&
    go build -ldflags "$ldflags" -o "$BIN/kubernetes-$K8S_VERSION/" k8s.io/kubernetes/cmd/kubelet)
}

build_kubectl() {
  local dir="$SRC/kubernetes-$K8S_VERSION"
  [[ -f "$dir/go.mod" ]] || { echo "harness: $dir/go.mod missing (the kubernetes step writes it)" >&2; return 1; }
  local version_pkg="k8s.io/component-base/version"
  local ldflags="-s -w -X $version_pkg.gitVersion=$K8S_VERSION -X $version_pkg.gitMajor=1"
  ldflags+=" -X $version_pkg.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2)"
  (cd "$dir" && { go get "k8s.io/kubernetes/cmd/kubectl@$K8S_VERSION" 2>&1 | grep -v '^go: downloading' || true; } &&
    go build -ldflags "$ldflags" -o "$BIN/kubernetes-$K8S_VERSION/" k8s.io/kubernetes/cmd/kubectl)
}

step "etcd $ETCD_VERSION" "$BIN/etcd-$ETCD_VERSION/etcd" build_etcd
step "kwok $KWOK_VERSION" "$BIN/kwok-$KWOK_VERSION/stages/pod-ready.yaml" build_kwok
step "versitygw $VERSITYGW_VERSION" "$BIN/versitygw-$VERSITYGW_VERSION/versitygw" \
  build_go_install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION" "versitygw-$VERSITYGW_VERSION"
step "kubernetes $K8S_VERSION (kube-apiserver, kube-controller-manager, kube-scheduler)" \
  "$BIN/kubernetes-$K8S_VERSION/kube-scheduler" build_kubernetes
# The real node's kubelet, from the same module set (a separate step so caches built before it was added keep
# their control plane; with the control plane's packages already compiled it adds a couple of minutes).
step "kubelet $K8S_VERSION" "$BIN/kubernetes-$K8S_VERSION/kubelet" build_kubelet
# kubectl for the agent image, from the same module set (about a minute with the control plane compiled).
step "kubectl $K8S_VERSION" "$BIN/kubernetes-$K8S_VERSION/kubectl" build_kubectl

# The real node's images (pause, base, test images), rebuilt whenever their sources change. Without buildah
# (Debian package) the real node cannot run; the harness says so when a test asks for it.
IMAGES_HASH="$(cat "$HERE"/images/{build-images.sh,pause.c,wk.c} | sha256sum | cut -c1-12)"
IMAGES_DIR="$BIN/node-images-$IMAGES_HASH"
if command -v buildah >/dev/null && command -v gcc >/dev/null; then
  step "real-node images" "$IMAGES_DIR/healthy.tar" bash "$HERE/images/build-images.sh" "$IMAGES_DIR"
else
  echo "harness: buildah or gcc missing, real-node images not built (apt-get install buildah gcc libc6-dev)"
fi

# The Kubernetes MCP server agents get: an npm package wrapping a Go binary. Installed outside the repository
# because its other-platform packages are not all on the registry mirror, which breaks `npm ci` of a lockfile.
# The agent CLIs (native binaries of 100-400 MB each) are installed the same way, for the same reason.
install_npm() { # folder package@version
  npm install --prefix "$BIN/$1" --no-audit --no-fund --no-save "$2" >/dev/null
}
MCP_DIR="kubernetes-mcp-server-$KUBERNETES_MCP_SERVER_VERSION"
step "kubernetes-mcp-server $KUBERNETES_MCP_SERVER_VERSION" "$BIN/$MCP_DIR/node_modules/.bin/kubernetes-mcp-server" \
  install_npm "$MCP_DIR" "kubernetes-mcp-server@$KUBERNETES_MCP_SERVER_VERSION"
step "Claude Code $CLAUDE_CODE_VERSION" "$BIN/claude-code-$CLAUDE_CODE_VERSION/node_modules/.bin/claude" \
  install_npm "claude-code-$CLAUDE_CODE_VERSION" "@anthropic-ai/claude-code@$CLAUDE_CODE_VERSION"
step "Codex $CODEX_VERSION" "$BIN/codex-$CODEX_VERSION/node_modules/.bin/codex" \
  install_npm "codex-$CODEX_VERSION" "@openai/codex@$CODEX_VERSION"
step "Gemini CLI $GEMINI_CLI_VERSION" "$BIN/gemini-cli-$GEMINI_CLI_VERSION/node_modules/.bin/gemini" \
  install_npm "gemini-cli-$GEMINI_CLI_VERSION" "@google/gemini-cli@$GEMINI_CLI_VERSION"
GOOSE_BIN="$BIN/goose-$GOOSE_VERSION/node_modules/@aaif/goose-binary-linux-x64/bin/goose"
step "Goose $GOOSE_VERSION" "$GOOSE_BIN" install_npm "goose-$GOOSE_VERSION" "@aaif/goose-binary-linux-x64@$GOOSE_VERSION"

# The agent image triage Jobs run on the real node (deploy/docker/agent.Dockerfile's steps, with buildah from the
# list both follow), keyed by everything that goes in: its base (Debian minbase + Node, debootstrap'd once) and
# the image itself (the list, the build scripts, kubectl, the tools above and the repository files it copies).
# Older builds are removed (about 1.5 GB each). Needs root, buildah and debootstrap (debian-packages.txt).
AGENT_BASE_HASH="$( (list_query json base; list_query json user; cat "$HERE/images/build-agent-base.sh") | sha256sum | cut -c1-12)"
AGENT_BASE="$BIN/agent-base-$AGENT_BASE_HASH/base.tar"
agent_sources_hash() {
  local from
  (cd "$REPO" && while read -r from _; do if [[ -e "$from" ]]; then find "$from" -type f; fi; done < <(list_query copies) |
    LC_ALL=C sort | xargs -r -d '\n' sha256sum)
  cat "$AGENT_IMAGE_LIST" "$HERE/images/build-agent-image.sh" "$HERE/images/agent-image-list.mjs"
  echo "$AGENT_BASE_HASH $K8S_VERSION"
}
AGENT_IMAGE_HASH="$(agent_sources_hash | sha256sum | cut -c1-12)"
AGENT_IMAGE_NAME="watchkeeper.test/agent:$AGENT_IMAGE_HASH"
AGENT_IMAGE_ARCHIVE="$BIN/agent-image-$AGENT_IMAGE_HASH/agent.tar"
prune_others() { # prune_others PREFIX KEEP: removes $BIN/PREFIX-* folders other than KEEP
  local old
  for old in "$BIN/$1"-*; do [[ -d "$old" && "$old" != "$2" ]] && rm -rf "$old"; done
  return 0
}
if [[ "$(list_query get kubectl.version)" != "$K8S_VERSION" ]]; then
  echo "harness: deploy/docker/agent-image.json pins kubectl $(list_query get kubectl.version) but the harness builds $K8S_VERSION; make them agree" >&2
  exit 1
fi
if command -v buildah >/dev/null && command -v debootstrap >/dev/null && [[ "$(id -u)" == 0 ]]; then
  step "agent image base (Debian $(list_query get base.debian) minbase + Node $(list_query get base.node))" "$AGENT_BASE" \
    bash "$HERE/images/build-agent-base.sh" "$AGENT_IMAGE_LIST" "$AGENT_BASE"
  prune_others agent-base "$(dirname "$AGENT_BASE")"
  step "agent image $AGENT_IMAGE_NAME" "$AGENT_IMAGE_ARCHIVE" bash "$HERE/images/build-agent-image.sh" \
    "$AGENT_IMAGE_LIST" "$AGENT_BASE" "$BIN" "$BIN/kubernetes-$K8S_VERSION/kubectl" "$AGENT_IMAGE_NAME" "$AGENT_IMAGE_ARCHIVE"
  prune_others agent-image "$(dirname "$AGENT_IMAGE_ARCHIVE")"
else
  echo "harness: the agent image needs root, buildah and debootstrap (apt-get install buildah debootstrap); not built"
  AGENT_IMAGE_ARCHIVE=""
fi

# A manifest the TypeScript harness reads to find the binaries.
cat >"$BIN/manifest.json" <<JSON
{
  "etcd": "$BIN/etcd-$ETCD_VERSION/etcd",
  "kwok": "$BIN/kwok-$KWOK_VERSION/kwok",
  "kwokStageCrd": "$BIN/kwok-$KWOK_VERSION/stage-crd.yaml",
  "kwokStages": "$BIN/kwok-$KWOK_VERSION/stages",
  "versitygw": "$BIN/versitygw-$VERSITYGW_VERSION/versitygw",
  "kubeApiserver": "$BIN/kubernetes-$K8S_VERSION/kube-apiserver",
  "kubeControllerManager": "$BIN/kubernetes-$K8S_VERSION/kube-controller-manager",
  "kubeScheduler": "$BIN/kubernetes-$K8S_VERSION/kube-scheduler",
  "kubelet": "$BIN/kubernetes-$K8S_VERSION/kubelet",
  "kubectl": "$BIN/kubernetes-$K8S_VERSION/kubectl",
  "agentImage": { "name": "$AGENT_IMAGE_NAME", "archive": "$AGENT_IMAGE_ARCHIVE" },
  "nodeImages": "$IMAGES_DIR",
  "kubernetesVersion": "$K8S_VERSION",
  "kubernetesMcpServer": "$BIN/$MCP_DIR/node_modules/.bin/kubernetes-mcp-server",
  "agents": {
    "claude-code": "$BIN/claude-code-$CLAUDE_CODE_VERSION/node_modules/.bin/claude",
    "codex": "$BIN/codex-$CODEX_VERSION/node_modules/.bin/codex",
    "gemini": "$BIN/gemini-cli-$GEMINI_CLI_VERSION/node_modules/.bin/gemini",
    "goose": "$GOOSE_BIN"
  }
}
JSON
echo "harness: binaries ready, manifest at $BIN/manifest.json"
