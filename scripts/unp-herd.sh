#!/usr/bin/env bash
# UNP ch. 30's second figure, the thundering herd: the server's process-control CPU time per
# connection under `prefork` (every worker calls accept) as the workers go from a few to many,
# beside the same with a lock around accept (`prefork-flock`, `prefork-mutex`). Each worker runs
# `--worker-model sequential`, one thread, as UNP's children do. The client is UNP's: C short
# connections, 10 at a time, 4,000 bytes each (echolab load --connect-per-request).
#
#   scripts/unp-herd.sh [WORKERS...]      # default: 2 15 60 120
#   MODELS=prefork-flock C=1000 scripts/unp-herd.sh 15 120             # one model, fewer connections
#
# CPU: user + system ticks of the whole tree (the parent and every worker, /proc/PID/stat), read
# once every worker is up and idle, and again after the load; per connection and x 5,000 (the
# book's scale: seconds for 5,000 connections).
# The bench runs the same as its thundering-herd scenario, with a table and a chart in its report:
#   echolab bench --herd 2,15,60,120 --models prefork,prefork-flock,prefork-mutex
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/scripts/find-jdk.sh"
echolab_find_jdk
jar=${JAR:-$here/app/target/echolab.jar}
[ -f "$jar" ] || (cd "$here" && ./mvnw -B -q -DskipTests -pl app -am package)
C=${C:-2000}
workers=("$@"); [ ${#workers[@]} -gt 0 ] || workers=(2 15 60 120)
server_pid=
hz=$(getconf CLK_TCK)

start() {   # start ARGS...: runs the jar, sets $port and $server_pid
  local out; out=$(mktemp)
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar "$jar" serve --port 0 "$@" >"$out" 2>>/tmp/unp-herd.err &
  server_pid=$!
  for _ in $(seq 300); do [ -s "$out" ] && break; sleep 0.1; done
  port=$(sed -n 's/.* listening on [^ ]*:\([0-9]*\) .*/\1/p' "$out"); rm -f "$out"
  [ -n "$port" ] || { echo "server did not start" >&2; exit 1; }
}
stop() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; }

tree_pids() {
  local pids=$server_pid frontier=$server_pid next
  while [ -n "$frontier" ]; do
    next=$(for p in $frontier; do cat /proc/"$p"/task/*/children 2>/dev/null; done | tr ' ' '\n' | grep . || true)
    pids="$pids $next"; frontier=$next
  done
  echo "$pids"
}
tree_ticks() {   # utime + stime of the tree (fields 14 and 15; the name in field 2 has no spaces here)
  for p in $(tree_pids); do awk '{ print $14 + $15 }' /proc/"$p"/stat 2>/dev/null; done | awk '{ s += $1 } END { print s + 0 }'
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $C connections of 4,000 bytes, 10 at a time"
printf '%-14s %7s %12s %12s\n' model workers "CPU ms/conn" "x5000 (s)"
for model in ${MODELS:-prefork prefork-flock prefork-mutex}; do
  for w in "${workers[@]}"; do
    start --model "$model" --workers "$w" --worker-model sequential --backlog 4096
    # every worker up and idle: w children, and the tree's CPU no longer rising
    last=-1
    for _ in $(seq 120); do
      sleep 2; now=$(tree_ticks)
      live=$(wc -w < <(cat /proc/"$server_pid"/task/*/children))
      [ "$live" -ge "$w" ] && [ $((now - last)) -le 2 ] && break; last=$now
    done
    "$JAVA_HOME/bin/java" -jar "$jar" load "http://127.0.0.1:$port/echo" -c 10 --connect-per-request -n 200 --size 4000B >/dev/null 2>&1
    sleep 1; before=$(tree_ticks)
    "$JAVA_HOME/bin/java" -jar "$jar" load "http://127.0.0.1:$port/echo" -c 10 --connect-per-request -n "$C" --size 4000B \
      >/dev/null 2>>/tmp/unp-herd.err || echo "($model x$w: load reported errors)" >&2
    sleep 1; after=$(tree_ticks)
    awk -v m="$model" -v w="$w" -v t=$((after - before)) -v hz="$hz" -v c="$C" 'BEGIN {
      ms = t / hz * 1000 / c; printf "%-14s %7d %12.3f %12.2f\n", m, w, ms, ms * 5000 / 1000 }'
    stop
  done
done
