#!/usr/bin/env bash
# Builds the Debian hosts the Ansible collection tests (test/ansible/collection*.test.ts) manage
# through the community.general.chroot connection: one `debootstrap --variant=minbase` tree per
# suite, straight from Debian's archive, so each has the real pam_limits.so, /etc/pam.d/runuser-l,
# runuser and useradd of its release, and neither node nor python (checked below: the collection
# must work on a host with only a POSIX shell and coreutils).
#
#   bullseye   Debian 11, libpam-modules 1.4.0 (limitsctl's debian-11 profile)
#   bookworm   Debian 12, libpam-modules 1.5.2 (debian-12)
#   trixie     Debian 13, libpam-modules 1.7.0 (debian-13)
#
# Everything goes under $LIMITSCTL_HOSTS_DIR (default /var/cache/limitsctl-hosts)/<suite>; each tree
# is a cache that tests never write: they copy it (cp -a --reflink=auto) into their own temp dir.
# The trees are trimmed (documentation, manual pages, locales, apt indexes) so a copy is cheap.
# debootstrap writes only the target tree (its own etc/apt/sources.list included): the machine's apt
# sources and package state are never used or written. Idempotent: when the directory was completed
# by this same script it exits at once. Needs debootstrap, debian-archive-keyring, root (debootstrap
# chroots into the new tree) and the Debian archive.
set -euo pipefail

DIR=${LIMITSCTL_HOSTS_DIR:-/var/cache/limitsctl-hosts}
MIRROR=${LIMITSCTL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
SUITES=(bullseye bookworm trixie)

SELF_HASH=$(sha256sum "$0" | cut -d' ' -f1)
if [[ -f $DIR/COMPLETE && $(cat "$DIR/COMPLETE") == "$SELF_HASH" ]]; then
  echo "hosts: $DIR is up to date"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "hosts: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "hosts: debootstrap needs root" >&2; exit 1; }

start=$SECONDS
mkdir -p "$(dirname "$DIR")"
WORK=$(mktemp -d "$DIR.tmp.XXXXXX")
cleanup() {
  # debootstrap mounts proc/sys in the target while it runs; never leave one behind (nor delete through it)
  local m
  for m in $(awk -v w="$WORK/" 'index($2, w) == 1 {print $2}' /proc/self/mounts | sort -r); do umount -l "$m" || true; done
  rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

build() { # suite
  local suite=$1 root=$WORK/$1 t0=$SECONDS
  debootstrap --variant=minbase --keyring="$KEYRING" "$suite" "$root" "$MIRROR" >"$WORK/$suite.log" 2>&1 ||
    { echo "hosts: debootstrap $suite failed:" >&2; tail -n 30 "$WORK/$suite.log" >&2; return 1; }
  rm -rf "$root"/usr/share/{doc,man,info,locale}/* "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
    "$root"/var/cache/apt/archives/*.deb "$root"/var/log/*.log
  echo "hosts: $suite built in $((SECONDS - t0)) s"
}

# The suites are independent: build them at the same time (mostly network-bound).
pids=()
for suite in "${SUITES[@]}"; do build "$suite" & pids+=($!); done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
((failed == 0)) || exit 1

# Every host: the real pam_limits behind runuser -l, useradd, and no node or python anywhere on PATH.
for suite in "${SUITES[@]}"; do
  root=$WORK/$suite
  found=$(chroot "$root" /bin/sh -c 'for p in node nodejs python python3; do command -v "$p"; done; ls /usr/bin /usr/local/bin /bin /usr/sbin 2>/dev/null | grep -E "^(node|nodejs|python[0-9.]*)$"' || true)
  [[ -z $found ]] || { echo "hosts: $suite has $found (the hosts must have neither node nor python)" >&2; exit 1; }
  for f in usr/sbin/runuser usr/sbin/useradd etc/pam.d/runuser-l; do
    [[ -e $root/$f || -e $root/${f/usr\//} ]] || { echo "hosts: $suite has no /$f" >&2; exit 1; }
  done
  grep -qs pam_limits.so "$root"/etc/pam.d/runuser || { echo "hosts: $suite: /etc/pam.d/runuser does not call pam_limits.so" >&2; exit 1; }
  module=$(chroot "$root" /bin/sh -c 'ls /lib/*/security/pam_limits.so /usr/lib/*/security/pam_limits.so 2>/dev/null | head -n 1')
  [[ -n $module ]] || { echo "hosts: $suite has no pam_limits.so" >&2; exit 1; }
  # the suite, its libpam-modules version and its os-release, for the tests' messages
  { echo "suite=$suite"; chroot "$root" dpkg-query -W -f='libpam-modules=${Version}\n' libpam-modules
    grep -E '^(ID|VERSION_ID)=' "$root/etc/os-release"; } >"$WORK/$suite.info"
  echo "hosts: $suite: $(tr '\n' ' ' <"$WORK/$suite.info")$(du -sh "$root" | cut -f1)"
done

# Swap the finished trees into place.
rm -rf --one-file-system "$DIR"
mkdir "$DIR"
for suite in "${SUITES[@]}"; do mv "$WORK/$suite" "$DIR/$suite"; mv "$WORK/$suite.info" "$DIR/$suite.info"; done
echo "$SELF_HASH" >"$DIR/COMPLETE"
echo "hosts: ready in $DIR ($((SECONDS - start)) s)"
