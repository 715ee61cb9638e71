#!/usr/bin/env bash
# Measures what the process models cost on this machine; the figures in docs/process-models.md
# come from it. Run it under the benchmark lock so nothing else is measured at the same time:
#
#   scripts/process-costs.sh [latency|pss|wrk|all]
#
# latency: connect-to-first-byte of `process` (child JVM per connection) against `thread`, N
#          sequential curl requests each on a new connection; median and p99 in ms, and the ratio.
# pss:     PSS (proportional set size: shared pages divided among their sharers) of the whole
#          process tree with 1, 10 and 100 connections open at once, from /proc/PID/smaps_rollup.
# wrk:     req/s of `prefork` against `pool` under wrk -c 100 -d 10s on /echo?msg=x&wait=100ms.
# spares:  connect-to-first-byte of `thread`, `process` and `process --spares S` in one run, N
#          connections each arriving GAP seconds apart (open: a connection does not wait for the
#          one before); then `process --spares S` at shorter and shorter gaps, to find the rate
#          at which the spares no longer keep up.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/scripts/find-jdk.sh"
echolab_find_jdk
jar="$here/app/target/echolab.jar"
[ -f "$jar" ] || (cd "$here" && ./mvnw -B -q -DskipTests -pl app -am package)
N=${N:-200}
what=${1:-all}
server_pid=
work=$(mktemp -d /tmp/process-costs.XXXXXX)   # the servers' output and the clients' timings
cleanup() {   # on any exit: a server an error left running, and the folder
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

start() {   # start MODEL ARGS...: runs the jar, sets $port and $server_pid
  local out="$work/serve.out"
  "$JAVA_HOME/bin/java" ${PARENT_OPTS:-} --enable-native-access=ALL-UNNAMED -jar "$jar" serve --port 0 "$@" >"$out" 2>"$work/serve.err" &
  server_pid=$!
  for _ in $(seq 300); do [ -s "$out" ] && break; kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  port=$(sed -n 's/.* listening on [^ ]*:\([0-9]*\) .*/\1/p' "$out")
  [ -n "$port" ] || { echo "process-costs: serve $* did not start:" >&2; tail -5 "$work/serve.err" >&2; exit 1; }
}
stop() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=; }

# ttfb URL COUNT: one line per request, ms from connect to first byte
ttfb() {
  for _ in $(seq "$2"); do
    curl -s -o /dev/null -w '%{time_connect} %{time_starttransfer}\n' "$1"
  done | awk '{ printf "%.3f\n", ($2 - $1) * 1000 }'
}
quantiles() { sort -n | awk '{ v[NR] = $1 } END { m = v[int((NR + 1) / 2)]; p = v[int(NR * 0.99 + 0.999)]; printf "%.2f %.2f\n", m, p }'; }

latency() {
  echo "== connect-to-first-byte, $N sequential connections each (ms: median p99)"
  local t p
  start --model thread
  ttfb "http://127.0.0.1:$port/echo?msg=x" 20 >/dev/null           # warm up the JIT
  t=$(ttfb "http://127.0.0.1:$port/echo?msg=x" "$N" | quantiles); stop
  echo "thread                    $t"
  for variant in "default-flags:-Decholab.aot=off -Decholab.childFlags=" "lean:-Decholab.aot=off" "lean+aot:"; do
    local name=${variant%%:*}; PARENT_OPTS=${variant#*:}
    start --model process
    ttfb "http://127.0.0.1:$port/echo?msg=x" 3 >/dev/null          # the first child trains the AOT cache
    sleep 8
    p=$(ttfb "http://127.0.0.1:$port/echo?msg=x" "$N" | quantiles); stop
    PARENT_OPTS=
    printf '%-25s %s   ratio to thread: %s\n' "process $name" "$p" \
      "$(awk -v p="$p" -v t="$t" 'BEGIN { split(p, a, " "); split(t, b, " "); printf "median x%.0f, p99 x%.0f", a[1] / b[1], a[2] / b[2] }')"
  done
}

# ttfb_open URL COUNT GAP: COUNT connections started GAP seconds apart, each in the background
ttfb_open() {
  local out="$work/ttfb-open"
  : >"$out"
  for _ in $(seq "$2"); do
    curl -s -o /dev/null -w '%{time_connect} %{time_starttransfer}\n' "$1" >>"$out" &
    sleep "$3"
  done
  wait
  awk '{ printf "%.3f\n", ($2 - $1) * 1000 }' "$out"
}

spares() {
  local S=${S:-4} GAP=${GAP:-0.5} t p s
  echo "== connect-to-first-byte, $N connections each, one every ${GAP}s (ms: median p99)"
  start --model thread
  ttfb "http://127.0.0.1:$port/echo?msg=x" 20 >/dev/null
  t=$(ttfb_open "http://127.0.0.1:$port/echo?msg=x" "$N" "$GAP" | quantiles); stop
  echo "thread                    $t"
  start --model process
  ttfb "http://127.0.0.1:$port/echo?msg=x" 3 >/dev/null; sleep 8    # the AOT cache, if it had to be trained
  p=$(ttfb_open "http://127.0.0.1:$port/echo?msg=x" "$N" "$GAP" | quantiles); stop
  echo "process                   $p"
  start --model process --spares "$S"
  ttfb "http://127.0.0.1:$port/echo?msg=x" 3 >/dev/null; sleep 8    # the spares started and waiting
  s=$(ttfb_open "http://127.0.0.1:$port/echo?msg=x" "$N" "$GAP" | quantiles); stop
  echo "process --spares $S        $s"
  awk -v t="$t" -v p="$p" -v s="$s" 'BEGIN { split(t, a, " "); split(p, b, " "); split(s, c, " ");
    printf "ratios to thread: process median x%.0f p99 x%.0f; spares median x%.0f p99 x%.0f\n",
      b[1] / a[1], b[2] / a[2], c[1] / a[1], c[2] / a[2] }'
  echo "== process --spares $S: ${M:-40} connections at each gap (s), until the spares fall behind"
  local gap
  for gap in 0.4 0.2 0.1 0.05 0.02; do
    start --model process --spares "$S"
    ttfb "http://127.0.0.1:$port/echo?msg=x" 3 >/dev/null; sleep 8
    printf 'gap %-5s (%5.1f/s)  %s\n' "$gap" "$(awk -v g="$gap" 'BEGIN { print 1 / g }')" \
      "$(ttfb_open "http://127.0.0.1:$port/echo?msg=x" "${M:-40}" "$gap" | quantiles)"
    stop
  done
}

pss_tree() {  # kB of PSS summed over $server_pid and all its descendants
  local pids=$server_pid frontier=$server_pid next
  while [ -n "$frontier" ]; do
    next=$(for p in $frontier; do cat /proc/"$p"/task/*/children 2>/dev/null; done | tr ' ' '\n' | grep . || true)
    pids="$pids $next"; frontier=$next
  done
  for p in $pids; do awk '/^Pss:/ { print $2 }' /proc/"$p"/smaps_rollup 2>/dev/null; done | awk '{ s += $1 } END { print s + 0 }'
}

pss() {
  echo "== PSS of the whole process tree with C connections open (MiB: total, parent, per child)"
  for model in process thread; do
    for c in 1 10 100; do
      start --model "$model" --max-wait 5m --max-children 200
      curl -s -o /dev/null "http://127.0.0.1:$port/health"; sleep 8     # (process: AOT cache ready)
      local parent_kb; parent_kb=$(awk '/^Pss:/ { print $2 }' /proc/"$server_pid"/smaps_rollup)
      local clients=()
      for _ in $(seq "$c"); do
        curl -s -o /dev/null "http://127.0.0.1:$port/echo?msg=x&wait=120s" & clients+=($!)
      done
      # wait until the tree stops growing (every child started and waiting)
      local last=0 now
      for _ in $(seq 60); do
        sleep 3; now=$(pss_tree)
        [ "$now" -gt 0 ] && [ $((now - last)) -lt $((now / 100)) ] && break; last=$now
      done
      local live; live=$(cat /proc/"$server_pid"/task/*/children | wc -w)
      awk -v m="$model" -v c="$c" -v t="$now" -v p="$parent_kb" -v live="$live" 'BEGIN {
        printf "%-8s C=%-4d children=%-4d total %7.1f  parent %6.1f  per connection %5.1f\n", m, c, live, t / 1024, p / 1024, (t - p) / 1024 / c }'
      kill "${clients[@]}" 2>/dev/null || true; wait "${clients[@]}" 2>/dev/null || true
      stop
    done
  done
}

bench() {
  echo "== wrk -t2 -c100 -d10s /echo?msg=x&wait=100ms"
  for args in "--model pool" "--model prefork --workers 2 --worker-model pool" "--model prefork --workers 2 --worker-model virtual"; do
    # shellcheck disable=SC2086
    start $args
    wrk -t2 -c100 -d2s "http://127.0.0.1:$port/echo?msg=x&wait=100ms" >/dev/null    # warm up
    printf '%-50s ' "$args"
    wrk -t2 -c100 -d10s --latency "http://127.0.0.1:$port/echo?msg=x&wait=100ms" \
      | awk '/Requests\/sec/ { r = $2 } /^ +50%/ { m = $2 } /^ +99%/ { p = $2 } /Non-2xx|Socket errors/ { e = e " " $0 }
             END { printf "%s req/s  p50 %s  p99 %s%s\n", r, m, p, e }'
    stop
  done
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
case $what in
  latency) latency ;;
  pss) pss ;;
  wrk) bench ;;
  spares) spares ;;
  all) latency; bench; pss ;;
esac
