#!/usr/bin/env bash
# Reading and hashing a bundle of many small files (20,000 of 2-18 kB and one
# of 100 MB): one file after the other, one thread with read-ahead hints,
# reader threads, and rota's own hash_bundle (see benches/README.md).
#
#   benches/bundle_read.sh                   7 rounds, page cache dropped before each run
#   ROUNDS=11 FILES=20000 BIG_MIB=100 BENCH_DIR=/Volumes/MON benches/bundle_read.sh
#
# Rounds alternate the modes; the median time of each and the median of its
# ratio to rota's in the same round are printed. The files' inodes
# are kept in memory (only the data is dropped), as they are when `rota
# apply` copies a bundle it has just scanned. Needs root (or sudo purge).
set -euo pipefail

ROUNDS=${ROUNDS:-7}
FILES=${FILES:-20000}
BIG_MIB=${BIG_MIB:-100}
cd "$(dirname "$0")/.."
HARNESS=$(cargo bench --bench bundle_read --no-run --message-format=json 2> /dev/null |
    grep -o '"executable":"[^"]*bundle_read[^"]*"' | tail -1 | cut -d'"' -f4)
[ -x "$HARNESS" ] || { echo "cannot build the harness" >&2; exit 1; }
if [ -n "${BENCH_DIR:-}" ]; then
    WORK="$BENCH_DIR/rota-read-bench"
    rm -rf "$WORK"; mkdir -p "$WORK"
else
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/rota-read-bench.XXXXXX")
fi
trap 'rm -rf "$WORK"' EXIT

drop_data() {
    sync
    if [ -w /proc/sys/vm/drop_caches ]; then
        echo 1 > /proc/sys/vm/drop_caches
    elif command -v purge > /dev/null && purge 2> /dev/null; then
        :
    else
        return 1
    fi
}
drop_data 2> /dev/null || { echo "cannot drop the page cache (run as root)" >&2; exit 1; }

echo "Writing the bundle ($FILES small files + ${BIG_MIB} MiB) in $WORK ..." >&2
python3 - "$WORK/bundle" "$FILES" "$BIG_MIB" <<'PY'
import os, random, sys
root, files, big = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(30)
for i in range(files):
    folder = os.path.join(root, "Images", "%c" % (65 + (i // 40) % 26), "P%05d" % (i // 40))
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "IMG%06d.jpg" % i), "wb") as f:
        f.write(os.urandom(rng.randint(2048, 18432)))
with open(os.path.join(root, "database.dat"), "wb") as f:
    for _ in range(big):
        f.write(os.urandom(1 << 20))
PY

MODES=("rota" "sequential" "hints" "threads 2" "threads 4" "threads 8")
declare -A times
for round in $(seq "$ROUNDS"); do
    for mode in "${MODES[@]}"; do
        drop_data
        # shellcheck disable=SC2086
        seconds=$("$HARNESS" ${mode%% *} "$WORK/bundle" $( [ "${mode#* }" != "$mode" ] && echo "${mode#* }") | awk '{ print $4 }')
        times[$mode]="${times[$mode]:-} $seconds"
    done
    echo "round $round: $(for m in "${MODES[@]}"; do printf '%s %s s; ' "$m" "${times[$m]##* }"; done)" >&2
done

median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo
echo "Bundle: $FILES files + ${BIG_MIB} MiB on $(df -P "$WORK" | awk 'NR == 2 { print $1 }') ($(uname -s)), $ROUNDS rounds, data dropped before each run"
printf '%-22s %10s   %s\n' "" "median" "its time / rota's (median of rounds)"
for mode in "${MODES[@]}"; do
    ratio=$(paste <(echo "${times[$mode]}" | tr ' ' '\n' | sed '/^$/d') \
        <(echo "${times[rota]}" | tr ' ' '\n' | sed '/^$/d') | awk '{ printf "%.3f\n", $1 / $2 }' | median)
    printf '%-22s %8s s   %6sx\n' "$mode" "$(echo "${times[$mode]}" | median)" "$ratio"
done
