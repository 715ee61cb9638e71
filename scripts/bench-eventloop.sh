#!/usr/bin/env bash
# The figures of docs/event-loop.md: req/s and p99 under wrk for eventloop, virtual and pool.
#   scripts/bench-eventloop.sh [PORT=18600]
# Per model: start the server (app/target/echolab.jar, default options), warm up 3 s, then
#   wrk -t2 -c1000 -d10s --latency '/echo?msg=hi&wait=100ms'   (ceiling: 1000 / 0.1 s = 10,000 req/s)
#   wrk -t2 -c50   -d10s --latency '/echo?msg=hi'              (wait=0)
# and stop the server by its pid. Prints one line per run; the raw wrk output goes to stderr.
set -euo pipefail
port=${1:-18600}
cd "$(dirname "$0")/.."
java="${JAVA_HOME:?set JAVA_HOME to a JDK 25}/bin/java"
summary() {  # model, label, wrk output
  local rps p99 errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$3")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$3")
  errors=$(grep -E 'Socket errors|Non-2xx' <<<"$3" | tr -s ' ' | paste -sd';' || true)
  printf '%-10s %-28s req/s=%-10s p99=%-10s %s\n' "$1" "$2" "$rps" "$p99" "${errors:-no errors}"
}
for model in eventloop virtual pool; do
  log=$(mktemp)
  "$java" -jar app/target/echolab.jar serve --model "$model" --port "$port" >"$log" 2>&1 &
  server=$!
  for _ in $(seq 100); do grep -q listening "$log" && break; sleep 0.1; done
  head -1 "$log" >&2
  wrk -t2 -c1000 -d3s "http://127.0.0.1:$port/echo?msg=hi&wait=100ms" >/dev/null 2>&1 || true
  out=$(wrk -t2 -c1000 -d10s --latency "http://127.0.0.1:$port/echo?msg=hi&wait=100ms"); echo "$out" >&2
  summary "$model" "-c1000 wait=100ms" "$out"
  out=$(wrk -t2 -c50 -d10s --latency "http://127.0.0.1:$port/echo?msg=hi"); echo "$out" >&2
  summary "$model" "-c50 wait=0" "$out"
  kill "$server"; wait "$server" 2>/dev/null || true
  rm -f "$log"
done
