#!/usr/bin/env bash
# Benchmark: `rota plan` on 100,000 backups across six locations (the server and
# five labelled disks) against `rotate-backups --dry-run` (PyPI) on the same
# 100,000 files, run side by side, alternating, on this machine. Prints the
# median wall time and peak memory of each and the ratio.
#
#   benches/plan_vs_rotate_backups.sh [WORKDIR] [RUNS]
#
# Needs: cargo, python3 (with venv), GNU time (/usr/bin/time). rotate-backups
# (PyPI) is installed by this script into a virtual environment under
# target/bench-venv the first time, never globally.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/rota-bench}
runs=${2:-5}
target=${CARGO_TARGET_DIR:-$PWD/target}
venv=$target/bench-venv
if [ ! -x "$venv/bin/rotate-backups" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet rotate-backups
fi
rotate_backups=$venv/bin/rotate-backups
cargo build --release --quiet
rota=$target/release/rota

benches/bench_office.sh "$work" "$rota"

echo "backups in source: $(ls "$work/source" | wc -l); copies on disks: $(ls "$work"/disks/*/rota | grep -c '\.bak$')"
measure() { # prints "seconds peak_kb"
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt" || { cat "$work/stderr.txt"; exit 1; }
  cat "$work/time.txt"
}
rota_times=(); rota_mem=(); rb_times=(); rb_mem=()
for i in $(seq "$runs"); do
  read -r t m < <(measure "$rota" plan "$work/policy.yaml" --at 2026-05-29T12:00 --format json)
  rota_times+=("$t"); rota_mem+=("$m")
  read -r t m < <(measure "$rotate_backups" --dry-run --daily=10 --monthly=12 --yearly=always --hourly=3 "$work/source")
  rb_times+=("$t"); rb_mem+=("$m")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
rt=$(median "${rota_times[@]}"); rm_=$(median "${rota_mem[@]}")
bt=$(median "${rb_times[@]}"); bm=$(median "${rb_mem[@]}")
echo "rota plan:                 median ${rt}s, peak $((rm_ / 1024)) MB   (runs: ${rota_times[*]})"
echo "rotate-backups --dry-run:  median ${bt}s, peak $((bm / 1024)) MB   (runs: ${rb_times[*]})"
python3 -c "print(f'ratio (rotate-backups time / rota time): {float($bt)/max(float($rt),1e-3):.1f}x')"
