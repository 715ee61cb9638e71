#!/usr/bin/env bash
# Threads and memory of an EchoLab server holding N idle keep-alive connections.
#   scripts/measure-idle.sh MODEL [N=10000] [PORT=18500]
# Starts the server (app/target/echolab.jar) with --idle-timeout 10m, samples it, opens N
# connections with scripts/IdleClients.java (one request each, then idle), samples again, then
# ends the client and the server by their pids. Samples: Java threads (/stats "threads"), kernel
# threads (/proc/PID/status Threads), and PSS (/proc/PID/smaps_rollup Pss).
set -euo pipefail
model=$1; n=${2:-10000}; port=${3:-18500}
cd "$(dirname "$0")/.."
java="${JAVA_HOME:?set JAVA_HOME to a JDK 25}/bin/java"
log=$(mktemp); clog=$(mktemp)
"$java" -jar app/target/echolab.jar serve --model "$model" --port "$port" --idle-timeout 10m >"$log" 2>&1 &
server=$!
client=
cleanup() { [ -n "$client" ] && kill "$client" 2>/dev/null; kill "$server" 2>/dev/null; wait 2>/dev/null; rm -f "$log" "$clog"; }
trap cleanup EXIT
for _ in $(seq 100); do grep -q listening "$log" && break; sleep 0.1; done
sample() {
  local threads pss kthreads
  threads=$(curl -s "http://127.0.0.1:$port/stats" | sed -E 's/.*"threads":([0-9]+).*/\1/')
  kthreads=$(awk '/^Threads:/ {print $2}' "/proc/$server/status")
  pss=$(awk '/^Pss:/ {print $2}' "/proc/$server/smaps_rollup")
  echo "$model $1: java_threads=$threads kernel_threads=$kthreads pss_kib=$pss"
}
curl -s "http://127.0.0.1:$port/health" >/dev/null
sleep 1
sample "0 connections"
"$java" scripts/IdleClients.java "$port" "$n" 300 >"$clog" 2>&1 &
client=$!
for _ in $(seq 600); do grep -q '^idle' "$clog" && break; sleep 0.1; done
grep -q '^idle' "$clog" || { echo "client did not get all connections idle:"; cat "$clog"; exit 1; }
sleep 2
sample "$n idle connections"
