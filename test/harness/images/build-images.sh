#!/usr/bin/env bash
# Builds the real node's images without a registry: a static pause (the pod sandbox) and a small base image with
# one static test program (wk.c), plus the test images derived from it, each saved as a docker-archive the
# harness imports into containerd (`ctr -n k8s.io images import`). Needs gcc (with static glibc) and buildah.
# Usage: build-images.sh OUT_DIR
set -euo pipefail
out="$1"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/wk-images.XXXXXX")"
trap 'buildah --root "$work/root" --runroot "$work/runroot" --storage-driver vfs rm --all >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
b() { buildah --root "$work/root" --runroot "$work/runroot" --storage-driver vfs "$@"; }

mkdir -p "$work/rootfs/bin" "$work/rootfs/etc" "$work/pause"
gcc -O2 -static -s -o "$work/pause/pause" "$here/pause.c"
gcc -O2 -static -s -o "$work/rootfs/bin/wk" "$here/wk.c"
printf 'root:x:0:0:root:/:/bin/wk\nnobody:x:65534:65534:nobody:/:/bin/wk\napp:x:10001:10001:app:/:/bin/wk\n' >"$work/rootfs/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\napp:x:10001:\n' >"$work/rootfs/etc/group"

save() { # save IMAGE FILE
  b push --quiet "$1" "docker-archive:$work/$2:$1" >/dev/null
}

# The pod sandbox image containerd's CRI plugin runs for every pod (sandbox_image).
c="$(b from scratch)"
b copy "$c" "$work/pause/pause" /pause >/dev/null
b config --entrypoint '["/pause"]' --user 65534:65534 "$c"
b commit --quiet "$c" watchkeeper.test/pause:1 >/dev/null
save watchkeeper.test/pause:1 pause.tar

# The local base image every test image starts from.
c="$(b from scratch)"
b copy "$c" "$work/rootfs/" / >/dev/null
b config --entrypoint '["/bin/wk"]' --cmd '["serve"]' --user 10001:10001 "$c"
b commit --quiet "$c" watchkeeper.test/base:1 >/dev/null
save watchkeeper.test/base:1 base.tar

derive() { # derive IMAGE CMD_JSON [FILE]: a test image FROM the base with its own default command (and FILE)
  local c
  c="$(b from watchkeeper.test/base:1)"
  b config --cmd "$2" "$c"
  if [[ -n "${3:-}" ]]; then b copy "$c" "$work/rootfs/etc/passwd" "$3" >/dev/null; fi
  b commit --quiet "$c" "$1" >/dev/null
  save "$1" "$(basename "${1%%:*}").tar"
}
# The healthy image also carries /etc/wk-ready, which the probe tests check for (`wk check /etc/wk-ready`):
# a pod of the base image fails such a probe, the same pod set to this image passes it.
derive watchkeeper.test/healthy:1 '["serve"]' /etc/wk-ready
derive watchkeeper.test/crasher:1 '["exit","1","2"]'
derive watchkeeper.test/memory-hog:1 '["alloc","1024"]'

mkdir -p "$out"
mv "$work"/*.tar "$out/"
