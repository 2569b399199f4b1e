#!/usr/bin/env bash
# Fetches and builds the real pam_limits.so modules the conformance tests compare limitsctl with
# (test/conformance/modules.ts describes how each one is run):
#
#   debian-11        bullseye's libpam-modules 1.4.0-9+deb11u1, run with bullseye's libpam0g on
#                    this (bookworm) libc: LD_LIBRARY_PATH=<dir>/debian-11/root/lib/x86_64-linux-gnu
#   debian-12        the installed module (libpam-modules 1.5.2-6+deb12uN): nothing to fetch
#   debian-13        trixie's libpam-modules 1.7.0-5 with trixie's libpam0g, libc6 and the libraries
#                    they need, run through trixie's own loader:
#                    <dir>/debian-13/root/usr/lib64/ld-linux-x86-64.so.2 --library-path …
#   linux-pam-1.4.0  upstream pam_limits.c from the source packages' upstream tarballs, WITHOUT
#   linux-pam-1.5.2  debian/patches, compiled alone (see build_upstream below), each run with its
#   linux-pam-1.7.0  own suite's runtime (1.4.0: bullseye's libpam; 1.5.2: the installed one;
#                    1.7.0: trixie's loader and libraries)
#
# Everything goes under $LIMITSCTL_PAM_MODULES_DIR (default /var/cache/limitsctl-pam-modules).
# apt runs with a private configuration (its own sources.list, lists, cache, status and empty
# preferences; only apt.conf.d, e.g. a proxy, still comes from the machine): the machine's
# sources and package state are never used, and nothing under /etc/apt is written. Idempotent: when the directory
# was completed by this same script it exits at once. Needs apt-get, dpkg-deb, tar, xz, gcc, ldd,
# debian-archive-keyring, write access to the cache directory's parent and the Debian archive.
set -euo pipefail

DIR=${LIMITSCTL_PAM_MODULES_DIR:-/var/cache/limitsctl-pam-modules}
# The host the machine's own sources use (/etc/apt/sources.list.d/debian.sources on CI).
MIRROR=${LIMITSCTL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# Pinned package versions: a new Debian upload must be a deliberate change here (and in modules.ts).
BULLSEYE_PAM=1.4.0-9+deb11u1
TRIXIE_PAM=1.7.0-5
# trixie's run-time closure of pam_limits.so and libpam.so.0 (readelf NEEDED; check_loads below
# fails if one is missing)
TRIXIE_RUNTIME=(libpam-modules libpam0g libc6 libaudit1 libcap-ng0 libsystemd0 libcap2)

SELF_HASH=$(sha256sum "$0" | cut -d' ' -f1)
if [[ -f $DIR/COMPLETE && $(cat "$DIR/COMPLETE") == "$SELF_HASH" ]]; then
  echo "pam-modules: $DIR is up to date"
  exit 0
fi

start=$SECONDS
mkdir -p "$(dirname "$DIR")"
WORK=$(mktemp -d "$DIR.tmp.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
APT=$WORK/apt
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$WORK/debs" "$WORK/src"
: >"$APT/status"
{
  for suite in bullseye bookworm trixie; do
    echo "deb [signed-by=$KEYRING] $MIRROR $suite main"
    echo "deb-src [signed-by=$KEYRING] $MIRROR $suite main"
  done
} >"$APT/sources.list"
APT_OPTS=(
  -o "Dir::Etc::SourceList=$APT/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::Etc::Preferences=/dev/null" -o Dir::Etc::PreferencesParts=/dev/null
  -o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache" -o "Dir::State::status=$APT/status"
  -o APT::Architecture=amd64 -o APT::Architectures::=amd64 -o APT::Sandbox::User=root
  -o Debug::NoLocking=1 -qq
)
apt_get() { apt-get "${APT_OPTS[@]}" "$@"; }

echo "pam-modules: apt-get update (private configuration in $APT)"
apt_get update

# Binary packages, by suite. apt verifies each file against the signed Release/Packages indexes.
fetch_debs() { # suite pkg...
  local suite=$1; shift
  mkdir -p "$WORK/debs/$suite"
  (cd "$WORK/debs/$suite" && apt_get download "${@/%//$suite}")
}
fetch_debs bullseye libpam-modules libpam0g libpam0g-dev libaudit-dev
fetch_debs bookworm libpam0g-dev libaudit-dev
fetch_debs trixie "${TRIXIE_RUNTIME[@]}" libpam0g-dev libaudit-dev libsystemd-dev

check_version() { # deb expected-version
  local got
  got=$(dpkg-deb -f "$1" Version)
  [[ $got == "$2" ]] || { echo "pam-modules: $1 is version $got, expected $2 (update the pins)" >&2; exit 1; }
}
check_version "$(ls "$WORK"/debs/bullseye/libpam-modules_*.deb)" "$BULLSEYE_PAM"
check_version "$(ls "$WORK"/debs/bullseye/libpam0g_*.deb)" "$BULLSEYE_PAM"
check_version "$(ls "$WORK"/debs/trixie/libpam-modules_*.deb)" "$TRIXIE_PAM"
check_version "$(ls "$WORK"/debs/trixie/libpam0g_*.deb)" "$TRIXIE_PAM"

extract() { # dest deb...
  local dest=$1; shift
  mkdir -p "$dest"
  for deb in "$@"; do dpkg-deb -x "$deb" "$dest"; done
}
OUT=$WORK/out
extract "$OUT/debian-11/root" "$WORK"/debs/bullseye/{libpam-modules,libpam0g}_*.deb
extract "$OUT/debian-13/root" $(for p in "${TRIXIE_RUNTIME[@]}"; do ls "$WORK/debs/trixie/${p}_"*.deb; done)
for suite in bullseye bookworm trixie; do
  extract "$WORK/dev/$suite" "$WORK"/debs/$suite/*-dev_*.deb
done

# Upstream tarballs: only the .orig tarball of each source package is used (debian/ is never
# applied). `apt-get source --download-only` verifies each file it fetches against the Sources
# index; it may still fail on a file we do not need (bullseye's .dsc has been missing from the
# mirror), so success is judged by the tarball, re-checked against the SHA256 the Sources index gives for that file name.
fetch_orig() { # suite upstream-version
  local suite=$1 version=$2 tarball="pam_$2.orig.tar.xz" want got
  (cd "$WORK/src" && apt_get source --download-only "pam/$suite" >/dev/null 2>&1) || true
  want=$(apt-cache "${APT_OPTS[@]}" showsrc pam |
    awk -v f="$tarball" '/^Checksums-Sha256:/ {c=1; next} /^[^ ]/ {c=0} c && $3 == f {print $1; exit}')
  [[ -f $WORK/src/$tarball && -n $want ]] || { echo "pam-modules: could not fetch $tarball ($suite)" >&2; exit 1; }
  got=$(sha256sum "$WORK/src/$tarball" | cut -d' ' -f1)
  [[ $got == "$want" ]] || { echo "pam-modules: $tarball: sha256 $got, the $suite index says $want" >&2; exit 1; }
  tar -C "$WORK/src" -xJf "$WORK/src/$tarball"
}
fetch_orig bullseye 1.4.0
fetch_orig bookworm 1.5.2
fetch_orig trixie 1.7.0

# Upstream pam_limits.so, compiled alone. Defines, from each tarball's build files:
#  1.4.0, 1.5.2 (modules/pam_limits/Makefile.am, configure.ac):
#    LIMITS_FILE="$(SCONFIGDIR)/limits.conf", LIMITS_FILE_DIR="$(SCONFIGDIR)/limits.d/*.conf"
#    (SCONFIGDIR = /etc/security with --sysconfdir=/etc, as every distribution builds);
#    config.h: _GNU_SOURCE (AC_USE_SYSTEM_EXTENSIONS), UNUSED (PAM_ATTRIBUTE_UNUSED), HAVE_LIBAUDIT (--enable-audit defaults to
#    on when libaudit is found), _() and N_() as configure.ac writes them without NLS (messages
#    stay untranslated; the harness runs in the C locale anyway). No VENDORDIR: pam_limits reads none before 1.5.3.
#  1.7.0 (meson.build, meson_options.txt, modules/pam_limits/meson.build):
#    LIMITS_FILE_DIR="/etc/security/limits.d"; config.h: _GNU_SOURCE, UNUSED, SCONFIG_DIR="/etc/security",
#    HAVE_LIBAUDIT (audit: auto), HAVE_EXPLICIT_BZERO (found in glibc), USE_LOGIND: the `logind`
#    option is `auto`, so any build host with libsystemd >= 254 (trixie has 257) enables it —
#    as Debian 13's own module does (it needs libsystemd.so.0). No VENDOR_SCONFIG_DIR: the
#    `vendordir` option defaults to empty.
#  HAVE_LIBAUDIT only adds an audit record when maxlogins is exceeded (the session is denied
#  either way); the harness's shim answers audit_open() with "no audit support".
# Headers: each suite's libpam0g-dev / libaudit-dev / libsystemd-dev, then the tarball's own
# libpam/include for its internal headers (pam_inline.h, pam_i18n.h). Linked against the suite's
# libpam.so.0 (and libsystemd.so.0 for 1.7.0) by path, so NEEDED names the sonames.
build_upstream() { # id upstream-version suite libdir-in-runtime extra-config-lines extra-libs -D...
  local id=$1 version=$2 suite=$3 libdir=$4 config=$5 libs=$6; shift 6
  local src=$WORK/src/Linux-PAM-$version build=$OUT/$id
  mkdir -p "$build/include"
  printf '#define _GNU_SOURCE 1\n#define UNUSED __attribute__((__unused__))\n#define HAVE_LIBAUDIT 1\n%b' "$config" >"$build/include/config.h"
  local cmd=(gcc -O2 -Wall -Werror=implicit-function-declaration -shared -fPIC
    -I"$build/include" -I"$WORK/dev/$suite/usr/include" -I"$src/libpam/include"
    "$@" -o "$build/pam_limits.so" "$src/modules/pam_limits/pam_limits.c" "$libdir/libpam.so.0" $libs)
  "${cmd[@]}"
  {
    echo "Linux-PAM $version pam_limits.c from pam_$version.orig.tar.xz ($suite), no Debian patches"
    echo "config.h:"; sed 's/^/  /' "$build/include/config.h"
    echo "command (paths relative to the build directory):"
    echo "  ${cmd[*]//$WORK\//}"
  } >"$build/BUILD"
}
NO_NLS='#define _(msgid) (msgid)\n#define N_(msgid) msgid\n'
build_upstream linux-pam-1.4.0 1.4.0 bullseye "$OUT/debian-11/root/lib/x86_64-linux-gnu" "$NO_NLS" '' \
  '-DLIMITS_FILE="/etc/security/limits.conf"' '-DLIMITS_FILE_DIR="/etc/security/limits.d/*.conf"'
build_upstream linux-pam-1.5.2 1.5.2 bookworm /lib/x86_64-linux-gnu "$NO_NLS" '' \
  '-DLIMITS_FILE="/etc/security/limits.conf"' '-DLIMITS_FILE_DIR="/etc/security/limits.d/*.conf"'
build_upstream linux-pam-1.7.0 1.7.0 trixie "$OUT/debian-13/root/usr/lib/x86_64-linux-gnu" \
  '#define SCONFIG_DIR "/etc/security"\n#define HAVE_EXPLICIT_BZERO 1\n#define USE_LOGIND 1\n' \
  "$OUT/debian-13/root/usr/lib/x86_64-linux-gnu/libsystemd.so.0" '-DLIMITS_FILE_DIR="/etc/security/limits.d"'

# Every module must load with its runtime: no "not found" library and, with every symbol bound
# now, no "undefined symbol" (what `ldd -r` does, here with each runtime's own loader).
T13=$OUT/debian-13/root
check_loads() { # module loader library-path
  local listing
  listing=$(env LD_TRACE_LOADED_OBJECTS=1 LD_WARN=yes LD_BIND_NOW=yes ${3:+LD_LIBRARY_PATH="$3"} "$2" "$1" 2>&1) ||
    { echo "pam-modules: $1 does not load: $listing" >&2; exit 1; }
  if grep -q 'not found\|undefined symbol' <<<"$listing"; then echo "pam-modules: $1: $listing" >&2; exit 1; fi
}
HOST_LD=/lib64/ld-linux-x86-64.so.2
B11_LIB=$OUT/debian-11/root/lib/x86_64-linux-gnu
check_loads "$B11_LIB/security/pam_limits.so" "$HOST_LD" "$B11_LIB"
check_loads "$OUT/linux-pam-1.4.0/pam_limits.so" "$HOST_LD" "$B11_LIB"
check_loads "$OUT/linux-pam-1.5.2/pam_limits.so" "$HOST_LD" ''
check_loads "$T13/usr/lib/x86_64-linux-gnu/security/pam_limits.so" "$T13/usr/lib64/ld-linux-x86-64.so.2" "$T13/usr/lib/x86_64-linux-gnu"
check_loads "$OUT/linux-pam-1.7.0/pam_limits.so" "$T13/usr/lib64/ld-linux-x86-64.so.2" "$T13/usr/lib/x86_64-linux-gnu"

echo "$BULLSEYE_PAM" >"$OUT/debian-11/VERSION"
echo "$TRIXIE_PAM" >"$OUT/debian-13/VERSION"
echo "$SELF_HASH" >"$OUT/COMPLETE"
# Swap the finished tree into place (the apt state is not kept: a re-run fetches afresh).
rm -rf "$DIR"
mv "$OUT" "$DIR"
echo "pam-modules: ready in $DIR ($((SECONDS - start)) s)"
