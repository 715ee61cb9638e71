#!/usr/bin/env bash
# What work=cpu on a loop does to the other clients of that loop, with and without --offload.
#   scripts/bench-cpu-harm.sh [PORT=18700]
# Per setting: start `serve --model eventloop` (default --loops, --offload-threads 1), run one
# client that sends `work=cpu&wait=20ms` requests back to back (curl, one at a time, for 12 s), and
# meanwhile `wrk -t2 -c50 -d10s --latency '/echo?msg=hi'` (wait=0); stop both by pid. Each line ends
# with wrk's errors, or "no errors": an answer later than wrk's 2 s timeout is not in its
# percentiles and shows only there, as a timeout.
set -euo pipefail
port=${1:-18700}
cd "$(dirname "$0")/.."
java="${JAVA_HOME:?set JAVA_HOME to a JDK 25}/bin/java"
for offload in "--no-offload" "--offload"; do
  log=$(mktemp)
  "$java" -jar app/target/echolab.jar serve --model eventloop --port "$port" --offload-threads 1 $offload >"$log" 2>&1 &
  server=$!
  for _ in $(seq 100); do grep -q listening "$log" && break; sleep 0.1; done
  head -1 "$log" >&2
  wrk -t2 -c50 -d3s "http://127.0.0.1:$port/echo?msg=hi" >/dev/null 2>&1 || true    # warm-up
  ( end=$((SECONDS + 12)); n=0
    while [ $SECONDS -lt $end ]; do curl -s -o /dev/null "http://127.0.0.1:$port/echo?msg=c&wait=20ms&work=cpu"; n=$((n+1)); done
    echo "$n" >"$log.cpu" ) &
  burner=$!
  sleep 1
  out=$(wrk -t2 -c50 -d10s --latency "http://127.0.0.1:$port/echo?msg=hi"); echo "$out" >&2
  wait "$burner"
  errors=$(grep -E 'Socket errors|Non-2xx' <<<"$out" | tr -s ' ' | paste -sd';' || true)
  printf 'eventloop %-10s wait=0 -c50 alongside work=cpu: req/s=%s p50=%s p99=%s cpu_requests=%s %s\n' \
    "$offload" "$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")" \
    "$(awk '$1 == "50%" {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")" "$(cat "$log.cpu")" "${errors:-no errors}"
  kill "$server"; wait "$server" 2>/dev/null || true
  rm -f "$log" "$log.cpu"
done
