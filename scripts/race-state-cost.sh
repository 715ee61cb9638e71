#!/usr/bin/env bash
# Does the choice of --state show in the server's throughput? Starts a fresh server per run
# (--model virtual by default), loads it with `echolab load` (closed workload, keep-alive), and
# prints one line per run; the states alternate so that drift in the machine's load hits each alike.
# Usage: scripts/race-state-cost.sh [rounds=3] [model=virtual] [connections=50] [duration=5s]
# Run it alone on the machine: other work on the same cores skews the figures.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
rounds=${1:-3} model=${2:-virtual} conns=${3:-50} dur=${4:-5s}
jar="$here/app/target/echolab.jar"
source "$here/scripts/find-jdk.sh"; echolab_find_jdk
java="$JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED -jar $jar"
printf '%-6s %-13s %12s %10s %10s\n' round state "req/s" "p50 ms" "p99 ms"
for r in $(seq 1 "$rounds"); do
  for state in atomic synchronized broken; do
    out=$(mktemp)
    $java serve --model "$model" --port 0 --state "$state" >"$out" 2>/dev/null &
    pid=$!
    for _ in $(seq 1 100); do grep -q 'listening on' "$out" && break; sleep 0.1; done
    port=$(sed -n 's/.*listening on [^:]*:\([0-9]*\).*/\1/p' "$out")
    json=$($java load "http://127.0.0.1:$port/echo" -c "$conns" -d "$dur" --warmup 2s --json 2>/dev/null)
    kill -TERM "$pid"; wait "$pid" || true; rm -f "$out"
    python3 - "$r" "$state" "$json" <<'PY'
import json, sys
r, state, j = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
lat = j.get("latencyMillis", j)
print(f"{r:<6} {state:<13} {j['throughput']:12.0f} {lat.get('p50', float('nan')):10.3f} {lat.get('p99', float('nan')):10.3f}")
PY
  done
done
