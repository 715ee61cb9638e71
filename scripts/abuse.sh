#!/usr/bin/env bash
# Abuse every concurrent model and time a normal client meanwhile (docs/server.md, "Limits and abuse").
#   scripts/abuse.sh [-m "pool virtual"] [-s "slowloris cpu"] [-d 20] [-p 18800]
# Per model and scenario: start `echolab serve --model M` with default options on 127.0.0.1, start
# the abuse from 127.0.0.1, and after 3 s probe with a fresh connection from 127.0.0.2 every 200 ms
# (scripts/AbuseClients.java); then stop the abuse, probe once more ("after"), stop the server with
# SIGTERM and note its exit code. Everything is bounded by -d seconds and ends by pid.
# The abuses from one address (slowloris to nofile) come from 127.0.0.1, which the automatic
# --max-per-client spares (on one machine every client is loopback): for them the server is started
# once to read the bound its startup line gives the model, then with --max-per-client N, which
# holds for loopback too ("per-client" column; "auto" for the others).
# Scenarios:
#   slowloris  slowhttptest -H: 1,000 connections sending their headers a line every 10 s
#   slowbody   slowhttptest -B: 1,000 POSTs sending an 8 KiB body a few bytes every 10 s
#   slowread   slowhttptest -X: 1,000 connections asking for 1 MiB and reading 32 bytes every 5 s
#   bigsize    100 connections asking for size=64MiB, never reading
#   cpu        100 connections asking for work=cpu&wait=10s
#   nofile     the server under `prlimit --nofile=256`, 1,000 connections asking for wait=2s, then idle
#   slowmany   1,000 connections from 127.0.0.1 to 127.0.0.20, a header line each every 2 to 4 s
#   monitor    the same against the monitor's port, probing its /metrics instead of an echo
#   churn      300 connections opened and closed at once (RST or FIN, before or after a request), every 2 s
#   anything   the server under -Xmx256m; 100 clients at once POST 1 MB to /anything, every 2 s
# A row passes when every probe was answered within 1 s, the server still answered afterwards, and
# no connection that sent a whole request was closed without an answer. The "unanswered" column is
# the server's own count, read from /stats (requestsUnanswered) on the monitor's port before the
# SIGTERM: the connections the server closed while it held a complete request of whose answer no
# byte was written; then, after a slash, the abuse's own count where its clients keep one (hold,
# slowmany, anything; slowhttptest and churn keep none). A row where either is not 0 ends with
# FAIL, and the script then exits 1.
# Needs curl, slowhttptest for the slow* scenarios (apt-get install slowhttptest) and prlimit (util-linux).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/find-jdk.sh
source scripts/find-jdk.sh
echolab_find_jdk || exit 3
java="$JAVA_HOME/bin/java"
jar=${ECHOLAB_JAR:-app/target/echolab.jar}
models="thread pool virtual eventloop prethread prefork prefork-pass process"
scenarios="slowloris slowbody slowread bigsize cpu nofile slowmany monitor churn anything"
seconds=20
port=18800
while getopts "m:s:d:p:" opt; do
  case $opt in
    m) models=$OPTARG ;; s) scenarios=$OPTARG ;; d) seconds=$OPTARG ;; p) port=$OPTARG ;;
    *) sed -n 2,3p "$0" >&2; exit 2 ;;
  esac
done
[ -f "$jar" ] || { echo "abuse: no $jar; build it with ./echolab models (or ./mvnw -pl app -am package)" >&2; exit 3; }
[ "$seconds" -ge 10 ] && [ "$seconds" -le 120 ] || { echo "abuse: -d must be from 10 to 120" >&2; exit 2; }
command -v curl >/dev/null || { echo "abuse: needs curl, to read the server's /stats (apt-get install curl)" >&2; exit 3; }
case " $scenarios " in *" slow"*) command -v slowhttptest >/dev/null || {
  echo "abuse: the slow* scenarios need slowhttptest (apt-get install slowhttptest)" >&2; exit 3; } ;; esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
clients() { "$java" scripts/AbuseClients.java "$@"; }

abuse() {   # scenario port: runs the abuse in the background for $seconds; prints its pid
  local u="http://127.0.0.1:$2"
  case $1 in
    slowloris) slowhttptest -H -c 1000 -r 200 -i 10 -l "$seconds" -u "$u/echo?msg=x" ;;
    slowbody)  slowhttptest -B -c 1000 -r 200 -i 10 -s 8192 -l "$seconds" -u "$u/echo" ;;
    slowread)  slowhttptest -X -c 1000 -r 200 -w 512 -y 1024 -n 5 -z 32 -k 3 -l "$seconds" -u "$u/echo?msg=x&size=1MiB" ;;
    bigsize)   clients hold "$2" 100 "/echo?msg=x&size=64MiB" "$seconds" ;;
    cpu)       clients hold "$2" 100 "/echo?msg=x&work=cpu&wait=10s" "$seconds" ;;
    nofile)    clients hold "$2" 1000 "/echo?msg=x&wait=2s" "$seconds" ;;
    slowmany)  clients slowmany "$2" 1000 20 "$seconds" ;;
    monitor)   clients slowmany "$(($2 + 1))" 1000 20 "$seconds" ;;
    churn)     end=$((SECONDS + seconds)); while [ $SECONDS -lt $end ]; do clients churn "$2" 300; sleep 2; done ;;
    anything)  end=$((SECONDS + seconds)); while [ $SECONDS -lt $end ]; do clients anything "$2" 100 1000000; sleep 2; done ;;
  esac >"$work/abuse.log" 2>&1 &
  echo $!
}

unanswered() {   # the abuse's own count of requests closed without an answer, summed; "-" if it cannot tell
  local counts
  counts=$(grep -oE 'unanswered=[0-9]+' "$work/abuse.log" | cut -d= -f2 || true)
  [ -n "$counts" ] && echo "$counts" | paste -sd+ | bc || echo "-"
}

server_unanswered() {   # monitor-port: the server's own count (/stats requestsUnanswered); "?" if it did not say
  local n
  n=$(curl -s --max-time 10 "http://127.0.0.1:$1/stats" | grep -oE '"requestsUnanswered":[0-9]+' | head -1 | cut -d: -f2 || true)
  echo "${n:-?}"
}

one_address="slowloris slowbody slowread bigsize cpu nofile"

serve() {   # model port limit... -- args...: starts the server in the background; sets $server
  local model=$1 at=$2; shift 2
  local limit=()
  while [ "$1" != -- ]; do limit+=("$1"); shift; done
  shift
  "${limit[@]}" "$java" "${heap[@]}" --enable-native-access=ALL-UNNAMED -jar "$jar" serve --model "$model" \
    --port "$at" --monitor-port $((at + 1)) "$@" >"$work/server.out" 2>"$work/server.err" &
  server=$!
  for _ in $(seq 150); do grep -q listening "$work/server.out" && break; sleep 0.1; done
}

stop() {   # stops $server with SIGTERM (SIGKILL after 30 s); sets $code to its exit code
  kill -TERM "$server" 2>/dev/null || true
  for _ in $(seq 300); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$server" 2>/dev/null && echo "abuse: $model did not stop within 30 s of SIGTERM; killed" >&2
  code=0; wait "$server" 2>/dev/null || code=$?
}

failed=0
echo "# abuse.sh -d $seconds: $one_address from 127.0.0.1 run with --max-per-client N (the model's automatic bound, applied to loopback too)"
printf '%-10s %-12s %-10s %-62s %-8s %-10s %-5s %s\n' scenario model per-client "probes from 127.0.0.2 during the abuse" after unanswered exit "peak RSS"
for scenario in $scenarios; do
  for model in $models; do
    port=$((port + 1))
    port=$((port + 1))              # and the next one for its monitor
    limit=() heap=()
    [ "$scenario" = nofile ] && limit=(prlimit --nofile=256:256)
    [ "$scenario" = anything ] && heap=(-Xmx256m)
    bound=auto
    if [ "${limit[*]}" = "" ]; then limit=(env); fi
    if [[ " $one_address " == *" $scenario "* ]]; then   # learn the automatic bound, then apply it to loopback
      serve "$model" $((port - 1)) "${limit[@]}" --
      bound=$(grep -oE 'max-per-client=[0-9]+' "$work/server.out" | head -1 | cut -d= -f2)
      stop
      [ -n "$bound" ] || { echo "abuse: $model printed no max-per-client= in its startup line" >&2; exit 1; }
      serve "$model" $((port - 1)) "${limit[@]}" -- --max-per-client "$bound"
    else
      serve "$model" $((port - 1)) "${limit[@]}" --
    fi
    attacker=$(abuse "$scenario" $((port - 1)))
    sleep 3
    if [ "$scenario" = monitor ]; then
      during=$(clients probe "$port" $((seconds - 6)) 200 /metrics || true)
    else
      during=$(clients probe $((port - 1)) $((seconds - 6)) 200 || true)
    fi
    wait "$attacker" 2>/dev/null || true
    kill "$attacker" 2>/dev/null || true
    after=$(clients probe $((port - 1)) 2 500 >/dev/null && echo served || echo FAILED)
    by_server=$(server_unanswered "$port")
    by_clients=$(unanswered)
    rss=$(awk '/VmHWM/ {printf "%d MiB", $2 / 1024}' "/proc/$server/status" 2>/dev/null || echo "-")
    stop
    verdict=""
    if [ "$by_server" != 0 ] || { [ "$by_clients" != - ] && [ "$by_clients" != 0 ]; }; then
      verdict=" FAIL"
      failed=1
    fi
    printf '%-10s %-12s %-10s %-62s %-8s %-10s %-5s %s%s\n' "$scenario" "$model" "$bound" "$during" "$after" \
      "$by_server$([ "$by_clients" = - ] || echo "/$by_clients")" "$code" "$rss" "$verdict"
    if grep -qE 'Exception|Error' "$work/server.err"; then
      { grep -E 'Exception|Error' "$work/server.err" | sort | uniq -c | sort -rn | head -3 | sed 's/^/    server: /' >&2; } || true
    fi
  done
done
exit "$failed"
