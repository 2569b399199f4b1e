#!/usr/bin/env bash
# Installs what `npm run bench` compares limitsctl with, from Debian 12's archive (the machine's own
# apt sources; run as root):
#   augeas-tools   augtool 1.14 (with augeas-lenses, its Limits lens): the baseline of
#                  "lint of a 16,000-line file vs augtool print of it"
#   time           GNU time (/usr/bin/time): CPU time and peak RSS of each lint process
# It also uses taskset and chrt (util-linux, part of every Debian system) to run the processes of
# the augtool figure under SCHED_FIFO on one CPU, which needs root or CAP_SYS_NICE when the bench runs
# (bench/lib.mjs rtMode; without it the bench says so and measures them as any other process).
# The bench runs without them and prints, for each row it cannot measure, which tool is missing.
# Idempotent; writes nothing outside apt's own state.
set -euo pipefail

need=()
command -v augtool >/dev/null 2>&1 || need+=(augeas-tools augeas-lenses)
[[ -x /usr/bin/time ]] || need+=(time)
if ((${#need[@]} == 0)); then
  echo "bench setup: augtool $(augtool --version 2>&1 | head -1 | awk '{print $2}') and GNU time present"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "bench setup: needs root to install ${need[*]} (apt-get install ${need[*]})" >&2
  exit 2
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "bench setup: installed ${need[*]}"
