#!/usr/bin/env bash
# A bundle of many small files, copied and restored by rota side by side
# with the tools a person would use (see benches/README.md, issue 30).
#
#   benches/bundle_copy.sh                 20,000 files of 2-18 kB + one 100 MB file
#   ROUNDS=9 FILES=20000 BIG_MIB=100 BENCH_DIR=/Volumes/MON benches/bundle_copy.sh
#   ROTA_BASELINE=target/bench/rota-old benches/bundle_copy.sh   also time another build
#
# Every round runs each contender once, in turn, with the page cache dropped
# before each run (the source is read from the disk, as at night):
#
#   rota        `rota apply` of the bundle to a freshly labelled disk folder
#               (copy, flush, read back, rename, manifest, catalog)
#   cp+sync     `cp -a` then `sync`
#   rsync+sync  `rsync -a` then `sync`
#   by hand     `cp -a`, `sync`, drop caches, `diff -r` (a verified copy)
#
# and, in the other direction, `rota restore --disk` of that copy against
# `cp -a` + `sync` + drop caches + `diff -r` from the disk folder.
#
# It prints each contender's median time and the median over the rounds of
# rota's time divided by the contender's (pairs taken moments apart compare
# like with like on a machine whose disk speed drifts). Dropping the page
# cache needs root on Linux (`purge` on macOS); without it the script stops.
set -euo pipefail

ROUNDS=${ROUNDS:-7}
FILES=${FILES:-20000}
BIG_MIB=${BIG_MIB:-100}
cd "$(dirname "$0")/.."
if [ -z "${ROTA:-}" ]; then
    cargo build --release --bin rota >&2
    ROTA=$PWD/target/release/rota
fi
ROTA=$(cd "$(dirname "$ROTA")" && pwd)/$(basename "$ROTA")
if [ -n "${ROTA_BASELINE:-}" ]; then
    ROTA_BASELINE=$(cd "$(dirname "$ROTA_BASELINE")" && pwd)/$(basename "$ROTA_BASELINE")
fi
command -v rsync > /dev/null || { echo "rsync is missing (apt-get install rsync)" >&2; exit 1; }

if [ -n "${BENCH_DIR:-}" ]; then
    WORK="$BENCH_DIR/rota-bundle-bench"
    rm -rf "$WORK"; mkdir -p "$WORK"
else
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/rota-bundle-bench.XXXXXX")
fi
trap 'rm -rf "$WORK"' EXIT

drop_caches() {
    sync
    if [ -w /proc/sys/vm/drop_caches ]; then
        echo 3 > /proc/sys/vm/drop_caches
    elif command -v purge > /dev/null && purge 2> /dev/null; then
        :
    else
        return 1
    fi
}
drop_caches 2> /dev/null || { echo "cannot drop the page cache (run as root, or sudo on macOS)" >&2; exit 1; }
now() { perl -MTime::HiRes=time -e 'printf "%.6f\n", time'; }

NAME=Images_2026-03-31
SRC="$WORK/source/$NAME"
echo "Writing the bundle ($FILES small files + ${BIG_MIB} MiB) in $WORK ..." >&2
mkdir -p "$WORK/source"
python3 - "$SRC" "$FILES" "$BIG_MIB" <<'PY'
import os, random, sys
root, files, big = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(30)
# Like a practice's image folders: a folder per patient, a few dozen images each.
per_patient = 40
for i in range(files):
    folder = os.path.join(root, "Images", "%c" % (65 + (i // per_patient) % 26), "P%05d" % (i // per_patient))
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "IMG%06d.jpg" % i), "wb") as f:
        f.write(os.urandom(rng.randint(2048, 18432)))
with open(os.path.join(root, "database.dat"), "wb") as f:
    for _ in range(big):
        f.write(os.urandom(1 << 20))
stamp = 1774900000  # 2026-03-30, long settled
for dirpath, dirnames, filenames in os.walk(root, topdown=False):
    for name in filenames + dirnames:
        os.utime(os.path.join(dirpath, name), (stamp, stamp))
os.utime(root, (stamp, stamp))
PY
SIZE=$(du -sm "$SRC" | cut -f1)
cat > "$WORK/policy.yaml" <<'YAML'
version: 1
office: { name: Bench Dental, timezone: UTC, open_days: [mon, tue, wed, thu, fri, sat, sun] }
source: { path: source, pattern: "Images_{%Y-%m-%d}" }
retain: { business_days: 10 }
disks:
  mount_search: ["disks/*"]
  min_backups: 1
  reserve: 0%
  rotation:
    - { label: MON, days: [mon, tue, wed, thu, fri, sat, sun] }
state_dir: state
YAML

# A fresh labelled disk folder and state, so every rota run copies the bundle.
fresh_disk() {
    rm -rf "$WORK/disks" "$WORK/state"
    mkdir -p "$WORK/disks/MON"
    "$1" disk init "$WORK/disks/MON" --label MON > /dev/null
}

# Seconds taken by a shell command, the page cache dropped first.
timed() {
    drop_caches
    local start end
    start=$(now)
    eval "$1" > /dev/null
    end=$(now)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}

OUT="$WORK/out"
apply_cmd() { echo "'$1' apply '$WORK/policy.yaml' --yes --at 2026-03-31T23:00 --no-color"; }
CP='cp -a "$SRC" "$OUT" && sync'
RSYNC='rsync -a "$SRC/" "$OUT/" && sync'
HAND='cp -a "$SRC" "$OUT" && sync && drop_caches && diff -r "$SRC" "$OUT"'
RESTORE='"$ROTA" restore --disk "$WORK/disks/MON" "$NAME" --to "$OUT" --no-color'
BACK='mkdir -p "$OUT" && cp -a "$WORK/disks/MON/rota/$NAME" "$OUT/" && sync && drop_caches && diff -r "$WORK/disks/MON/rota/$NAME" "$OUT/$NAME"'

declare -A times
record() { times[$1]="${times[$1]:-} $2"; }

echo "Bundle: $FILES files + ${BIG_MIB} MiB, ${SIZE} MiB on $(df -P "$WORK" | awk 'NR == 2 { print $1 }') ($(uname -s)); $ROUNDS rounds" >&2
for round in $(seq "$ROUNDS"); do
    fresh_disk "$ROTA"
    record rota "$(timed "$(apply_cmd "$ROTA")")"
    [ -d "$WORK/disks/MON/rota/$NAME" ] || { echo "rota did not copy the bundle" >&2; exit 1; }
    if [ -n "${ROTA_BASELINE:-}" ]; then
        fresh_disk "$ROTA_BASELINE"
        record baseline "$(timed "$(apply_cmd "$ROTA_BASELINE")")"
        fresh_disk "$ROTA"
        "$ROTA" apply "$WORK/policy.yaml" --yes --at 2026-03-31T23:00 > /dev/null
    fi
    rm -rf "$OUT"; record cp "$(timed "$CP")"
    rm -rf "$OUT"; record rsync "$(timed "$RSYNC")"
    rm -rf "$OUT"; record hand "$(timed "$HAND")"
    rm -rf "$OUT"; record restore "$(timed "$RESTORE")"
    rm -rf "$OUT"; record back "$(timed "$BACK")"
    rm -rf "$OUT"
    echo "round $round: rota ${times[rota]##* } s, cp+sync ${times[cp]##* } s, rsync+sync ${times[rsync]##* } s, by hand ${times[hand]##* } s; restore ${times[restore]##* } s, by hand ${times[back]##* } s" >&2
done

median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# The median over the rounds of A's time / B's time.
pair_ratio() {
    paste <(echo "${times[$1]}" | tr ' ' '\n' | sed '/^$/d') <(echo "${times[$2]}" | tr ' ' '\n' | sed '/^$/d') |
        awk '{ printf "%.3f\n", $1 / $2 }' | median
}
line() { printf '%-44s %8s s   %6sx\n' "$1" "$(echo "${times[$2]}" | median)" "${3:-}"; }

echo
echo "Bundle: $FILES files + ${BIG_MIB} MiB (${SIZE} MiB) on $(df -P "$WORK" | awk 'NR == 2 { print $1 }') ($(uname -s)), $ROUNDS rounds, caches dropped before each run"
printf '%-44s %10s   %s\n' "" "median" "rota / it (median of pairs)"
line "rota apply (copy, flush, read back)" rota
line "cp -a + sync" cp "$(pair_ratio rota cp)"
line "rsync -a + sync" rsync "$(pair_ratio rota rsync)"
line "by hand: cp -a + sync + drop + diff -r" hand "$(pair_ratio rota hand)"
[ -n "${ROTA_BASELINE:-}" ] && line "baseline build's rota apply" baseline "$(pair_ratio rota baseline)"
line "rota restore --disk" restore
line "by hand: cp -a + sync + drop + diff -r" back "$(pair_ratio restore back)"
