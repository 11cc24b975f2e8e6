#!/usr/bin/env bash
# Installs the Debian packages listed in debian-packages.txt that are missing, with apt-get, when it can (as root
# or with passwordless sudo; `apt-get update` once if the first install fails). When it cannot, it prints the one
# command to run and exits 1. `--check` only lists what is missing (exit 1 if anything is).
set -euo pipefail
list="$(dirname "${BASH_SOURCE[0]}")/debian-packages.txt"

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

if ! command -v dpkg-query >/dev/null; then
  echo "harness: not a Debian-family machine (no dpkg); install what the packages in $list provide yourself" >&2
  exit 0
fi

missing=()
while IFS= read -r line; do
  line="${line%%#*}"
  packages="${line%%unless:*}"
  test=""
  [[ "$line" == *unless:* ]] && test="${line#*unless:}"
  if [[ -n "${test// /}" ]] && bash -c "$test" >/dev/null 2>&1; then continue; fi
  for package in $packages; do
    installed "$package" || missing+=("$package")
  done
done <"$list"

((${#missing[@]} == 0)) && exit 0
if [[ "${1:-}" == --check ]]; then
  echo "${missing[*]}"
  exit 1
fi

sudo=()
if ((EUID != 0)); then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo=(sudo -n); else sudo=(none); fi
fi
if [[ "${sudo[0]:-}" == none ]] || ! command -v apt-get >/dev/null; then
  echo "harness: missing Debian packages ${missing[*]}; run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

apt() { # apt-get with the dpkg lock waited for (another harness may be installing) and no questions asked
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -q "$@"
}
started=$SECONDS
echo "harness: installing Debian packages ${missing[*]} (apt-get; this can take a few minutes)..." >&2
if ! apt install -y "${missing[@]}" >&2; then
  echo "harness: apt-get install failed; refreshing the package lists (apt-get update) and trying again..." >&2
  if ! { apt update >&2 && apt install -y "${missing[@]}" >&2; }; then
    echo "harness: apt-get could not install ${missing[*]} (its output above says why); after fixing that, run: ${sudo[*]:+${sudo[*]} }apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
echo "harness: installed ${missing[*]} in $((SECONDS - started))s" >&2
