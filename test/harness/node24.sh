#!/usr/bin/env bash
# Prints a folder to put first on PATH so that `node` is Node 24 LTS, or nothing when the machine's `node` is
# already 24 or newer. The binary comes from the npm package node-linux-<arch>@24 (its tarball carries bin/node),
# fetched once into the cache (WATCHKEEPER_CACHE, default ~/.cache/watchkeeper) as node-24/bin/node; later
# calls reuse it without asking the registry. Usage: PATH="$(bash test/harness/node24.sh)${PATH:+:$PATH}"
set -euo pipefail
want=24
major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if command -v node >/dev/null && (($(major node) >= want)); then exit 0; fi
dir="${WATCHKEEPER_CACHE:-$HOME/.cache/watchkeeper}/node-$want"
if [[ -x "$dir/bin/node" ]] && (($(major "$dir/bin/node") == want)); then
  echo "$dir/bin"
  exit 0
fi

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "harness: no npm package carries Node $want for $(uname -m); install Node $want yourself" >&2; exit 1 ;;
esac
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "harness: node $(node --version 2>/dev/null || echo missing) is older than $want; fetching Node $want (npm package node-linux-$arch@$want, about 50 MB)..." >&2
(cd "$tmp" && npm pack --silent "node-linux-$arch@$want" >/dev/null)
mkdir "$tmp/node"
tar -xzf "$tmp"/node-linux-*.tgz -C "$tmp/node" --strip-components=1 package/bin/node
echo "harness: got Node $("$tmp/node/bin/node" --version) into $dir" >&2
mkdir -p "$(dirname "$dir")"
rm -rf "$dir" && mv "$tmp/node" "$dir"
echo "$dir/bin"
