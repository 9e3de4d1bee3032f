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

if [ ! -f "$work/ready" ]; then
  rm -rf "$work"
  mkdir -p "$work/source" "$work/disks"
  cat > "$work/policy.yaml" <<'YAML'
version: 1
office: { name: Benchmark Clinic, timezone: America/New_York, open_days: [mon, tue, wed, thu, fri, sat, sun], day_starts_at: "05:00" }
source: { path: source, pattern: "backup_{%Y-%m-%d_%H%M}.bak", keep_last: 3 }
retain: { business_days: 10, month_ends: 12, quarter_ends: 8, fiscal_year_ends: all }
disks:
  mount_search: ["disks/*"]
  min_backups: 4
  rotation:
    - { label: D1, days: [mon, sat] }
    - { label: D2, days: [tue, sun] }
    - { label: D3, days: [wed] }
    - { label: D4, days: [thu] }
    - { label: D5, days: [fri] }
state_dir: state
YAML
  for d in D1 D2 D3 D4 D5; do mkdir -p "$work/disks/$d"; "$rota" disk init "$work/disks/$d" --label "$d" >/dev/null; done
  python3 - "$work" <<'PY'
import datetime, json, os, sys
work = sys.argv[1]
start = datetime.datetime(2015, 1, 1, 0, 30)
names = [(start + datetime.timedelta(hours=h)) for h in range(100_000)]
for t in names:
    open(os.path.join(work, "source", t.strftime("backup_%Y-%m-%d_%H%M.bak")), "w").close()
# Each disk holds the copies of its weekdays' backups from the last 20,000 hours.
days = {"D1": (0, 5), "D2": (1, 6), "D3": (2,), "D4": (3,), "D5": (4,)}
for label, weekdays in days.items():
    disk = os.path.join(work, "disks", label)
    ident = json.load(open(os.path.join(disk, ".rota-disk.json")))["id"]
    copies = []
    for t in names[-20_000:]:
        business = t - datetime.timedelta(hours=5)
        if business.weekday() in weekdays:
            name = t.strftime("backup_%Y-%m-%d_%H%M.bak")
            open(os.path.join(disk, "rota", name), "w").close()
            copies.append({"name": name, "size": 0, "kind": "file", "hash": "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
                           "copied_at": "2026-01-01T00:00:00Z", "verified_at": "2026-01-01T00:00:00Z"})
    json.dump({"rota_manifest": 1, "disk_id": ident, "label": label, "algorithm": "blake3", "copies": copies, "last_verified": None},
              open(os.path.join(disk, "rota", ".rota-manifest.json"), "w"))
PY
  touch "$work/ready"
fi

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
