#!/usr/bin/env bash
# Benchmark: `rota plan --format json` on the 100,000-backup office
# (bench_office.sh) against `find` listing and stat-ing the same folders
# (`-printf '%p %s %T@'`: a name, a size and a time per file, which is the
# least any planner must read), alternating, in one script. Prints each
# median and the ratio rota / find. With ROTA_BASELINE set to another rota
# binary (e.g. a build of an earlier commit) it is timed in the same rounds,
# and the two JSON plans are compared byte for byte (cmp).
#
#   benches/plan_vs_find.sh [WORKDIR] [RUNS]
#   ROTA_BASELINE=/tmp/rota-before benches/plan_vs_find.sh
#
# Needs: cargo, python3 (to build the office), GNU find.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/rota-bench}
runs=${2:-9}
target=${CARGO_TARGET_DIR:-$PWD/target}
if [ -z "${ROTA_BIN:-}" ]; then
  cargo build --release --quiet
  ROTA_BIN=$target/release/rota
fi
benches/bench_office.sh "$work" "$ROTA_BIN"

plan() { "$1" plan "$work/policy.yaml" --at 2026-05-29T12:00 --format json >"$2"; }
list() { find "$work/source" "$work/disks" -type f -printf '%p %s %T@\n' >/dev/null; }
seconds() { # wall seconds of "$@"
  local start end
  start=$(date +%s.%N)
  "$@"
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.3f}')"
}

rota_t=(); find_t=(); base_t=()
plan "$ROTA_BIN" "$work/plan.json" # warm the page cache
list
for _ in $(seq "$runs"); do
  rota_t+=("$(seconds plan "$ROTA_BIN" "$work/plan.json")")
  find_t+=("$(seconds list)")
  if [ -n "${ROTA_BASELINE:-}" ]; then
    base_t+=("$(seconds plan "$ROTA_BASELINE" "$work/plan-baseline.json")")
  fi
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
rt=$(median "${rota_t[@]}"); ft=$(median "${find_t[@]}")
echo "rota plan --format json: median ${rt}s   (runs: ${rota_t[*]})"
echo "find -printf (list+stat): median ${ft}s   (runs: ${find_t[*]})"
python3 -c "print(f'ratio rota / find: {$rt / $ft:.2f}x')"
if [ -n "${ROTA_BASELINE:-}" ]; then
  bt=$(median "${base_t[@]}")
  echo "baseline rota plan:      median ${bt}s   (runs: ${base_t[*]})"
  python3 -c "print(f'ratio baseline / find: {$bt / $ft:.2f}x; this build / baseline: {$rt / $bt:.2f}x')"
  if cmp -s "$work/plan.json" "$work/plan-baseline.json"; then
    echo "JSON plans: byte-for-byte identical ($(wc -c <"$work/plan.json") bytes)"
  else
    echo "JSON plans DIFFER:"; cmp "$work/plan.json" "$work/plan-baseline.json" || true
    exit 1
  fi
fi
