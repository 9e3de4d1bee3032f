#!/usr/bin/env bash
# The benchmarks' office: 100,000 hourly backups in source/ (2015-2026) and
# five labelled disks D1-D5 holding their weekdays' copies of the last 20,000
# (six locations), under WORKDIR. Built once: a WORKDIR/ready marker skips it.
#
#   benches/bench_office.sh WORKDIR ROTA_BINARY
set -euo pipefail
work=$1
rota=$2
[ -f "$work/ready" ] && exit 0
rm -rf "$work"
mkdir -p "$work/source" "$work/disks"
cat > "$work/policy.yaml" <<'YAML'
version: 1
office: { name: Benchmark Clinic, timezone: America/New_York, open_days: [mon, tue, wed, thu, fri, sat, sun], day_starts_at: "05:00" }
source: { path: source, pattern: "backup_{%Y-%m-%d_%H%M}.bak", keep_last: 3 }
retain: { business_days: 10, month_ends: 12, quarter_ends: 8, fiscal_year_ends: all }
disks:
  mount_search: ["disks/*"]
  allow_server_drive: true
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
    path = os.path.join(work, "source", t.strftime("backup_%Y-%m-%d_%H%M.bak"))
    open(path, "w").close()
    # Finished when the name says, as the practice software's are: settled.
    stamp = t.replace(tzinfo=datetime.timezone.utc).timestamp()
    os.utime(path, (stamp, stamp))
# Each disk holds the copies of its weekdays' backups from the last 20,000 hours,
# and the server's catalog records them as rota wrote them (safety invariant
# 14: a manifest entry the catalog has no record of justifies no deletion).
days = {"D1": (0, 5), "D2": (1, 6), "D3": (2,), "D4": (3,), "D5": (4,)}
catalog = {"rota_catalog": 1, "disks": {}, "targets": {}}
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
    catalog["disks"][ident] = {"label": label, "last_seen": "2026-01-01T00:00:00Z", "last_mount": disk, "copies": copies}
os.makedirs(os.path.join(work, "state"), exist_ok=True)
json.dump(catalog, open(os.path.join(work, "state", "catalog.json"), "w"))
PY
touch "$work/ready"
