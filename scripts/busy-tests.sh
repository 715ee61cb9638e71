#!/usr/bin/env bash
# Runs the whole test suite several times in a row while other work keeps every core busy, to
# show that the tests wait for conditions and not for an idle machine.
#   scripts/busy-tests.sh [-n RUNS] [extra ./run-tests arguments]     (default: 3 runs)
# The load is `stress-ng --cpu N` (one busy worker per core, at the tests' own priority), or a
# shell busy loop per core where stress-ng is missing. It stops with the script. Prints one line per run and exits non-zero if any run failed.
set -uo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
runs=3
if [ "${1:-}" = "-n" ]; then
  [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { echo "busy-tests: -n takes a number of runs, e.g. -n 3 (got '${2:-}')" >&2; exit 2; }
  runs=$2; shift 2
fi
cores=$(nproc)

load=()
stop_load() { [ ${#load[@]} -gt 0 ] && kill "${load[@]}" 2>/dev/null; wait "${load[@]}" 2>/dev/null; load=(); }
trap stop_load EXIT
if command -v stress-ng >/dev/null 2>&1; then
  stress-ng --cpu "$cores" --timeout 0 --quiet &
  load+=($!)
  what="stress-ng --cpu $cores"
else
  for _ in $(seq "$cores"); do (while :; do :; done) & load+=($!); done
  what="$cores shell busy loops"
fi
echo "busy-tests: $runs runs of ./run-tests $* while $what keeps the $cores cores busy"

failed=0
mkdir -p "$here/app/target"
for i in $(seq "$runs"); do
  start=$(date +%s)
  if "$here/run-tests" "$@" > "$here/app/target/busy-run-$i.log" 2>&1; then result=passed; else result="FAILED (exit $?)"; failed=1; fi
  summary=$(grep -E '^\[(INFO|ERROR|WARNING)\] Tests run: [0-9]+, Failures' "$here/app/target/busy-run-$i.log" | grep -v ' -- in ' | tr '\n' ' ')
  echo "run $i: $result in $(( $(date +%s) - start )) s; $summary(log: app/target/busy-run-$i.log)"
done
exit $failed
