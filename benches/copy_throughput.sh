#!/usr/bin/env bash
# Copy and read-back throughput of rota's executor, side by side with cp and
# cat on the same file and file system (see benches/README.md).
#
#   benches/copy_throughput.sh            a 2 GiB file in a temp folder
#   SIZE_MIB=512 BENCH_DIR=/Volumes/MON benches/copy_throughput.sh
#   REPEAT=7 benches/copy_throughput.sh   pairs per measurement (default 5)
#
# Each measurement runs rota and the reference in alternation, REPEAT pairs,
# and reports the best speed of each and the median of the pairs' ratios (on
# a busy or virtual machine the disk's speed drifts; pairs taken moments apart
# compare like with like).
#
# Cold-cache runs drop the page cache before every run (Linux:
# /proc/sys/vm/drop_caches, needs root; macOS: `purge`, needs sudo); without
# permission they are skipped.
set -euo pipefail

SIZE_MIB=${SIZE_MIB:-2048}
REPEAT=${REPEAT:-5}
cd "$(dirname "$0")/.."
if [ -n "${BENCH_DIR:-}" ]; then
    WORK="$BENCH_DIR/rota-bench"
    mkdir -p "$WORK"
    trap 'rm -rf "$WORK"' EXIT
else
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/rota-bench.XXXXXX")
    trap 'rm -rf "$WORK"' EXIT
fi

HARNESS=$(cargo bench --bench copy_throughput --no-run --message-format=json 2> /dev/null |
    grep -o '"executable":"[^"]*copy_throughput[^"]*"' | tail -1 | cut -d'"' -f4)
[ -x "$HARNESS" ] || { echo "cannot build the harness" >&2; exit 1; }

now() { perl -MTime::HiRes=time -e 'printf "%.6f\n", time'; }
mib_per_s() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f", b / 1048576 / s }'; }

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
can_drop=no
drop_caches 2> /dev/null && can_drop=yes

SRC="$WORK/source.mpbackup"
COPY="$WORK/copy.mpbackup"
echo "Writing a ${SIZE_MIB} MiB test file in $WORK ..." >&2
head -c $((SIZE_MIB * 1048576)) /dev/urandom > "$SRC"
BYTES=$(wc -c < "$SRC" | tr -d ' ')
HASH=$("$HARNESS" copy "$SRC" "$COPY" | awk '$1 == "hash" { print $2 }')

# MiB/s of a shell command, timed here.
timed_shell() {
    local start end
    start=$(now); eval "$1"; end=$(now)
    mib_per_s "$BYTES" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')"
}

# MiB/s of a harness run (it times itself).
timed_harness() { "$HARNESS" "$@" | awk '$1 != "hash" { print $4 }'; }

# compare NAME PREPARE ROTA-ARGS REFERENCE-COMMAND
compare() {
    local name=$1 prepare=$2 rota_args=$3 reference=$4
    local rota_best=0 ref_best=0 ratios=""
    for _ in $(seq "$REPEAT"); do
        rm -f "$WORK/out"; eval "$prepare"
        local r; r=$(eval timed_harness "$rota_args")
        rm -f "$WORK/out"; eval "$prepare"
        local o; o=$(timed_shell "$reference")
        [ "$r" -gt "$rota_best" ] && rota_best=$r
        [ "$o" -gt "$ref_best" ] && ref_best=$o
        ratios="$ratios $(awk -v r="$r" -v o="$o" 'BEGIN { printf "%.3f", r / o }')"
    done
    local median
    median=$(echo "$ratios" | tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
    printf '%-40s %6d MiB/s %6d MiB/s   %.2fx\n' "$name" "$rota_best" "$ref_best" "$median"
}

echo
echo "File: ${SIZE_MIB} MiB on $(df -P "$WORK" | awk 'NR == 2 { print $1 }') ($(uname -s)); $REPEAT pairs each"
printf '%-40s %12s %12s   %s\n' "" "rota (best)" "ref. (best)" "median ratio"
for cache in warm cold; do
    if [ "$cache" = cold ]; then
        [ "$can_drop" = yes ] || { echo "(cold cache skipped: cannot drop the page cache)"; continue; }
        source_ready=drop_caches
        copy_ready=drop_caches
    else
        source_ready='cat "$SRC" > /dev/null'
        copy_ready='cat "$COPY" > /dev/null'
    fi
    compare "copy+hash+fsync vs cp ($cache)" "$source_ready" \
        'copy "$SRC" "$WORK/out"' 'cp "$SRC" "$WORK/out"'
    compare "copy+hash+fsync vs cp+sync ($cache)" "$source_ready" \
        'copy "$SRC" "$WORK/out"' 'cp "$SRC" "$WORK/out" && { sync "$WORK/out" 2> /dev/null || sync; }'
    compare "read-back verify vs cat ($cache)" "$copy_ready" \
        'verify "$COPY" "$HASH"' 'cat "$COPY" > /dev/null'
    if [ "$cache" = warm ]; then
        compare "hash via the page cache vs cat (warm)" "$copy_ready" \
            'read "$COPY"' 'cat "$COPY" > /dev/null'
    fi
done
