#!/usr/bin/env bash
# req/s and p99 of each model under wrk, one fresh server per model, on the same work.
#   scripts/wrk-models.sh [-c 100] [-d 10s] [-p '/echo?msg=x&wait=100ms'] [MODEL...]
# Per model: start `echolab serve --model MODEL --port 0` from app/target/echolab.jar (plus any
# options in $SERVE_OPTS), warm up with wrk on one connection for 3 s, measure with `wrk -t2 -cC -dD --latency`,
# read the server's /stats, stop the server by its pid (SIGTERM) and wait for it.
# Prints one line per model; raw wrk output goes to stderr.
set -euo pipefail
conns=100 duration=10s path='/echo?msg=x&wait=100ms'
while getopts "c:d:p:" o; do
  case $o in c) conns=$OPTARG ;; d) duration=$OPTARG ;; p) path=$OPTARG ;; *) exit 2 ;; esac
done
shift $((OPTIND - 1))
models=("$@"); [ ${#models[@]} -gt 0 ] || models=(sequential thread pool virtual)
cd "$(dirname "$0")/.."
source scripts/find-jdk.sh && echolab_find_jdk
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 3; }
[ -f app/target/echolab.jar ] || { echo "build first: ./mvnw -q -DskipTests package" >&2; exit 3; }

printf '# wrk -t2 -c%s -d%s %s  (%s cores, %s)\n' "$conns" "$duration" "$path" "$(nproc)" "$(date -u +%FT%TZ)"
for model in "${models[@]}"; do
  log=$(mktemp)
  # shellcheck disable=SC2086
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar app/target/echolab.jar serve --model "$model" --port 0 ${SERVE_OPTS:-} >"$log" 2>&1 &
  server=$!
  for _ in $(seq 300); do grep -q listening "$log" && break; sleep 0.1; done
  port=$(sed -n 's/.*listening on [^ ]*:\([0-9]*\) .*/\1/p' "$log" | head -1)
  [ -n "$port" ] || { echo "$model did not start:" >&2; cat "$log" >&2; kill "$server" 2>/dev/null; exit 1; }
  # warm up on one connection: abandoned warm-up connections would sit in a sequential server's backlog
  wrk -t1 -c1 -d3s "http://127.0.0.1:$port$path" >/dev/null 2>&1 || true
  out=$(wrk -t2 -c"$conns" -d"$duration" --latency --timeout 10s "http://127.0.0.1:$port$path")
  echo "$out" >&2
  stats=$(curl -s --max-time 30 "http://127.0.0.1:$port/stats" || true)
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(grep -E 'Socket errors|Non-2xx' <<<"$out" | tr -s ' ' | paste -sd';' || true)
  threads=$(sed -n 's/.*"threads":\([0-9]*\).*/\1/p' <<<"$stats")
  printf '%-10s req/s=%-9s p50=%-9s p99=%-9s threads=%-5s %s\n' "$model" "$rps" "$p50" "$p99" "${threads:-?}" "${errors:-no errors}"
  kill "$server"; wait "$server" 2>/dev/null || true
  rm -f "$log"
done
