#!/usr/bin/env bash
# Builds the agent image (deploy/docker/agent.Dockerfile) with buildah and no registry, from the list both follow
# (deploy/docker/agent-image.json): the local base (build-agent-base.sh: Debian minbase + the list's packages +
# Node + the user), kubectl, the npm tools the harness already installed into its cache (one prefix per tool, as
# the Dockerfile installs them), the list's copies from the repository, the user, environment and entry point.
# Saved as a docker-archive the harness imports into the real node's containerd.
# Usage: build-agent-image.sh LIST_JSON BASE_TAR TOOLS_ROOT KUBECTL IMAGE OUT_TAR
#   TOOLS_ROOT holds <name>-<version>/ per tool (npm install --prefix), as test/harness/build-binaries.sh makes them.
set -euo pipefail
list="$(realpath "$1")" base="$2" tools_root="$3" kubectl="$4" image="$5" out="$6"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$(dirname "$list")/../.." && pwd)"
q() { node "$here/agent-image-list.mjs" "$list" "$@"; }
work="$(mktemp -d "${TMPDIR:-/tmp}/wk-agent-image.XXXXXX")"
b() { buildah --root "$work/root" --runroot "$work/runroot" --storage-driver vfs "$@"; }
trap 'b rm --all >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

tools_dir="$(q get toolsDir)"
entry_file="$(node -e 'console.log(JSON.parse(process.argv[1]).at(-1))' "$(q json entrypoint)")"
c="$(b from scratch)"
b add "$c" "$base" / >/dev/null
b copy --chmod 0755 "$c" "$kubectl" "$(q get kubectl.path)" >/dev/null

# Each tool's prefix as npm made it (symlinks and hardlinks kept), its command linked into /usr/local/bin.
mkdir -p "$work/links/usr/local/bin"
while read -r name version bin bin_path; do
  src="$tools_root/$name-$version"
  [[ -e "$src/$bin_path" ]] || { echo "agent image: $src/$bin_path missing (run test/harness/build-binaries.sh)" >&2; exit 1; }
  b copy "$c" "$src" "$tools_dir/$name" >/dev/null
  ln -s "$tools_dir/$name/$bin_path" "$work/links/usr/local/bin/$bin"
done < <(q tools)
b copy "$c" "$work/links/" / >/dev/null

# The repository's files. The in-pod runner is a generated bundle (npm run pod-runner:build); until it exists
# the image gets a stand-in entry point that says so and fails.
while read -r from to; do
  if [[ ! -e "$repo/$from" && "$to" == "$entry_file" ]]; then
    echo "agent image: $from not built yet; the image's entry point is a stand-in that fails saying so" >&2
    printf '%s\n' "console.error('watchkeeper agent image: built without the in-pod runner ($from); rebuild the image after npm run pod-runner:build');" "process.exit(78);" >"$work/stand-in.mjs"
    b copy "$c" "$work/stand-in.mjs" "$to" >/dev/null
    continue
  fi
  [[ -e "$repo/$from" ]] || { echo "agent image: $repo/$from missing (listed in $list)" >&2; exit 1; }
  b copy "$c" "$repo/$from" "$to" >/dev/null
done < <(q copies)

mapfile -t env < <(node -e 'for (const [k, v] of Object.entries(JSON.parse(process.argv[1]))) console.log(`${k}=${v}`)' "$(q json env)")
env_flags=(--env "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
for e in "${env[@]}"; do env_flags+=(--env "$e"); done
b config "${env_flags[@]}" --user "$(q get user.uid):$(q get user.gid)" --workingdir "$(q get workdir)" \
  --entrypoint "$(q json entrypoint)" --cmd '[]' "$c"
b commit --quiet "$c" "$image" >/dev/null
mkdir -p "$(dirname "$out")"
b push --quiet "$image" "docker-archive:$out.partial:$image" >/dev/null
mv "$out.partial" "$out"
