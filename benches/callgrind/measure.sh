#!/usr/bin/env bash
# Instructions the JS thread spends per request (benches/ANALYSIS.md, issue 13): runs
# per-request.mjs under callgrind, dumps the counters at each of its marks
# (`callgrind_control -d`), and prints the main thread's instructions between the two
# marks divided by the requests (and by the paths) made there.
#
#   benches/callgrind/measure.sh [lstat|many|nop]   (from the repository root, after npm run build)
#
# Also printed: how much of it V8's collector took (self-cost.py). KEEP=1 keeps the dumps
# and prints where the bracketed one is: `self-cost.py DUMP REQUESTS` lists the functions
# the JS thread ran, by their own cost (JIT code shows as an address).
#
# Repeat it 2-3 times: the bracketed phase repeats within about ±6%.
set -euo pipefail
mode=${1:-lstat}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d /tmp/eio-callgrind.XXXXXX)
mkfifo "$out/to-node" "$out/from-node"
valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$out/cg.%p" \
  node "$here/per-request.mjs" "$mode" <"$out/to-node" >"$out/from-node" 2>"$out/valgrind.log" &
vg=$!
exec 3>"$out/to-node"
summary=''
while read -r line; do
  case $line in
    mark*) callgrind_control -d "$vg" >/dev/null 2>&1; echo go >&3 ;;
    requests*) summary=$line ;;
  esac
done <"$out/from-node"
exec 3>&-
wait "$vg"
# The dump made at the second mark holds what ran since the first; thread 1 is node's
# main thread (the JS thread).
dump=$(ls "$out"/cg.*.2-01 2>/dev/null || true)
[ -n "$dump" ] || { echo "no dump of the bracketed phase in $out" >&2; exit 1; }
instr=$(awk '/^(summary|totals):/ { print $2; exit }' "$dump")
read -r _ requests _ paths <<<"$summary"
echo "mode $mode: $instr instructions on the JS thread for $requests requests ($paths paths)"
echo "per request: $((instr / requests)); per path: $((instr / paths))"
# The collector's share and the rest's (see self-cost.py).
if command -v python3 >/dev/null; then python3 "$here/self-cost.py" "$dump" "$requests" 0; fi
if [ -n "${KEEP:-}" ]; then echo "dumps kept: $dump"; else rm -rf "$out"; fi
