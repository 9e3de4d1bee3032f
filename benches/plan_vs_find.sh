#!/usr/bin/env bash
# Benchmark: `rota plan --format json` on the 100,000-backup office
# (bench_office.sh) against `find` listing and stat-ing the same folders
# (`-printf '%p %s %T@'`: a name, a size and a time per file, which is the
# least any planner must read), alternating, in one script. Prints each
# median and the ratio rota / find. With ROTA_BASELINE set to another rota
# binary (e.g. a build of an earlier commit) it is timed in the same rounds,
# and the two JSON plans are compared byte for byte (cmp; the disks' live
# "free" bytes aside).
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
# Wall seconds and CPU seconds (user + system) of "$@", as "wall cpu": on a
# shared machine the CPU time is the steadier of the two.
measure() {
  /usr/bin/time -f "%e %U %S" -o "$work/time.txt" "$@"
  awk '{printf "%.2f %.2f\n", $1, $2 + $3}' "$work/time.txt"
}
export -f plan list
export work

wall_rota=(); cpu_rota=(); wall_find=(); cpu_find=(); wall_base=(); cpu_base=()
plan "$ROTA_BIN" "$work/plan.json" # warm the page cache
list
for _ in $(seq "$runs"); do
  read -r w c < <(measure bash -c 'plan "$0" "$work/plan.json"' "$ROTA_BIN")
  wall_rota+=("$w"); cpu_rota+=("$c")
  read -r w c < <(measure bash -c list)
  wall_find+=("$w"); cpu_find+=("$c")
  if [ -n "${ROTA_BASELINE:-}" ]; then
    read -r w c < <(measure bash -c 'plan "$0" "$work/plan-baseline.json"' "$ROTA_BASELINE")
    wall_base+=("$w"); cpu_base+=("$c")
  fi
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { python3 -c "print(f'{$1 / max($2, 0.005):.2f}x')"; }
report() { # NAME WALLS... -- CPUS...
  local name=$1; shift
  local walls=() cpus=()
  while [ "$1" != -- ]; do walls+=("$1"); shift; done; shift
  cpus=("$@")
  printf '%-26s median wall %ss, cpu %ss   (wall runs: %s)\n' "$name" \
    "$(median "${walls[@]}")" "$(median "${cpus[@]}")" "${walls[*]}"
}
report "rota plan --format json:" "${wall_rota[@]}" -- "${cpu_rota[@]}"
report "find -printf (list+stat):" "${wall_find[@]}" -- "${cpu_find[@]}"
rw=$(median "${wall_rota[@]}"); rc=$(median "${cpu_rota[@]}")
fw=$(median "${wall_find[@]}"); fc=$(median "${cpu_find[@]}")
echo "ratio rota / find: wall $(ratio "$rw" "$fw"), cpu $(ratio "$rc" "$fc")"
if [ -n "${ROTA_BASELINE:-}" ]; then
  report "baseline rota plan:" "${wall_base[@]}" -- "${cpu_base[@]}"
  bw=$(median "${wall_base[@]}"); bc=$(median "${cpu_base[@]}")
  echo "ratio baseline / find: wall $(ratio "$bw" "$fw"), cpu $(ratio "$bc" "$fc")"
  echo "this build / baseline: wall $(ratio "$rw" "$bw"), cpu $(ratio "$rc" "$bc")"
  # A disk's "free" is read live and changes between two runs on a busy
  # machine; every other byte must match.
  steady() { grep -v '"free": ' "$1"; }
  if cmp -s <(steady "$work/plan.json") <(steady "$work/plan-baseline.json"); then
    echo "JSON plans: byte-for-byte identical but for \"free\" ($(wc -c <"$work/plan.json") bytes)"
  else
    echo "JSON plans DIFFER:"; cmp <(steady "$work/plan.json") <(steady "$work/plan-baseline.json") || true
    exit 1
  fi
fi
