#!/usr/bin/env bash
# The performance check: each model against nginx, one core against one core.
# Every server runs on core 0 (taskset -c 0: nginx with 1 worker, each model in a JVM that sees one
# processor, with the flags ./echolab serve gives it) and every client on core 1 (taskset -c 1), so
# no client takes CPU from the server it measures. Prints the median and the spread (min-max) over
# ROUNDS rounds of:
#   busy     50 keep-alive connections, /echo with no wait, measured by two clients in the same
#            rounds: wrk -t1 -c50 --timeout T --latency (the reference; T the round's length and
#            10 s) and echolab load -c 50; req/s, ratio to nginx, p99; and over the wrk rounds,
#            the CPU the server and wrk used and the server's CPU per request, a ratio to nginx
#            that a client too slow to drive the faster server would not hide, and the bytes of
#            each answer (head and body, by wrk's count)
#   idle     IDLE idle keep-alive connections: PSS rise of the server's tree per connection, KiB
#            (nginx, and eventloop, virtual, netty and netty-uring where -m names them)
#   open     an open workload (echolab load --rate, latency from each request's intended send
#            time) at 50% and 90% of nginx's busy req/s by echolab load: p99 and p99.9
#   waiting  WAITING clients each waiting 1 s: req/s (bound: WAITING / 1 s), p99, ratio to nginx
#            (nginx, and eventloop and virtual where -m names them)
# Every server is started by this script on 127.0.0.1 and a free port, and stopped by its pid.
# Busy and open rounds go round-robin over servers started once and warmed up first (WARMUP
# seconds of wrk each, in runs of at most 5 s: new connections too run compiled code; a JVM still
# compiling shares its one core with the compiler), so noise from the shared machine falls on all
# of them alike; idle and waiting start a fresh server per round.
#
# Usage (run it alone on the machine: measurements must not overlap):
#   scripts/perf-check.sh [-r ROUNDS=3] [-d SECONDS=5] [-m MODELS=eventloop,virtual,thread,pool]
#                         [-s SECTIONS=busy,idle,open] [-i IDLE=10000] [-w WAITING=10000] [-W WARMUP=20]
#                         [-J 'MODEL:FLAGS' ...] [-B 'MODEL:JAR' ...] [-F 'FLOOR-ARGS' ...] [-H] [-R]
# -R prints each busy round's figures as it is measured (the tables give medians and spread).
# -H adds, to the busy and open rounds, nginx sending the headers every EchoLab answer carries
# (its Content-Type, CORS, X-Echo-Model, -Worker and -Request, nosniff): "nginx, EchoLab's
# headers", the share of a model's gap to nginx that is its longer answer, not its code.
# SECTIONS: any of busy, idle, open, waiting. ECHOLAB_JAR=PATH runs that jar instead of
# app/target/echolab.jar (which is built when missing or older than the sources).
# ECHOLAB_SERVER_JVM_OPTS replaces the models' JVM flags (scripts/server-jvm.sh; empty: none).
# -J 'MODEL:FLAGS' (repeatable) adds MODEL started with FLAGS in place of its own to the busy and
# open rounds, beside the rest: e.g. -J 'pool:-XX:+UseSerialGC -Xmn16m' weighs a flag in one run.
# -B 'MODEL:JAR' (repeatable) adds MODEL run from JAR, another build's echolab.jar, to the busy and
# open rounds, beside the rest, and a table of the two builds' ratios round by round: e.g.
# -m eventloop -B 'eventloop:/tmp/before.jar' weighs a change to the code in the same rounds,
# where two runs would differ by the machine's own swings.
# -F 'FLOOR-ARGS' (repeatable) adds scripts/ServerFloor.java started with FLOOR-ARGS, the least a
# server of one design does on the JDK (e.g. -F selector -F 'selector --answer-bytes 332'; -F ''
# for virtual threads), to the busy rounds' wrk runs: the design's ceiling beside the model. Not
# measured by echolab load, which checks every echo: a floor answers hello whatever it is asked.
# The busy tables' "× nginx by round" is each round's req/s over nginx's in the same round, median
# (min-max) of the rounds: the machine's swings from one round to the next cancel out in it.
# Needs: 2 cores, a JDK 25 (found like ./echolab does), nginx with Debian's echo module, wrk,
# taskset, python3, curl (apt-get install nginx-light libnginx-mod-http-echo wrk util-linux python3 curl).
# Exit codes: 0 measured, 1 a measurement failed (a wrong echo, an error), 2 bad usage,
# 3 cannot start (a missing tool or core, a build or a server that failed).
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
header() { awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0"; }   # the comment above, to its end
usage() { header >&2; exit 2; }
# shellcheck source=find-jdk.sh
source "$here/scripts/find-jdk.sh"
echolab_find_jdk || exit 3
# shellcheck source=server-jvm.sh
source "$here/scripts/server-jvm.sh"   # the flags ./echolab serve gives a server

rounds=3 seconds=5 warmup=20 idle=10000 waiting=10000 sections=busy,idle,open models=eventloop,virtual,thread,pool
connections=50 server_cpu=0 client_cpu=1
variants=()   # -J: MODEL:FLAGS
builds=()     # -B: MODEL:JAR
floors=()     # -F: ServerFloor.java's arguments
each_round=false
with_headers=false   # -H
while getopts "r:d:i:w:s:m:W:J:B:F:HRh" opt; do
  case $opt in
    r) rounds=$OPTARG ;;
    d) seconds=$OPTARG ;;
    i) idle=$OPTARG ;;
    w) waiting=$OPTARG ;;
    s) sections=$OPTARG ;;
    m) models=$OPTARG ;;
    W) warmup=$OPTARG ;;
    J) variants+=("$OPTARG") ;;
    B) builds+=("$OPTARG") ;;
    F) floors+=("$OPTARG") ;;
    H) with_headers=true ;;
    R) each_round=true ;;
    h) header; exit 0 ;;
    *) usage ;;
  esac
done
[ "$OPTIND" -gt $# ] || { echo "perf-check: unexpected argument '${!OPTIND}'; options only (-h for usage)" >&2; exit 2; }
for pair in "-r:$rounds" "-d:$seconds" "-i:$idle" "-w:$waiting" "-W:$warmup"; do
  [[ ${pair#*:} =~ ^[1-9][0-9]*$ ]] || { echo "perf-check: ${pair%%:*} ${pair#*:}: a whole number of at least 1, please" >&2; exit 2; }
done
IFS=, read -ra section_list <<<"$sections"
for s in "${section_list[@]}"; do
  [[ $s =~ ^(busy|idle|open|waiting)$ ]] || { echo "perf-check: -s $sections: '$s' is not a section; choose from busy, idle, open, waiting" >&2; exit 2; }
done
has_section() { [[ ,$sections, == *,$1,* ]]; }

for tool in nginx wrk taskset python3 curl; do
  command -v "$tool" >/dev/null || { echo "perf-check: $tool is not installed (apt-get install nginx-light libnginx-mod-http-echo wrk util-linux python3 curl)" >&2; exit 3; }
done
echo_module=/usr/lib/nginx/modules/ngx_http_echo_module.so
[ -e "$echo_module" ] || { echo "perf-check: $echo_module missing: apt-get install libnginx-mod-http-echo" >&2; exit 3; }
taskset -c "$server_cpu,$client_cpu" true 2>/dev/null || {
  echo "perf-check: needs cores $server_cpu and $client_cpu (one for the server, one for the client); this machine lets it use $(taskset -pc $$ | sed 's/.*: //')" >&2; exit 3; }
on_server=(taskset -c "$server_cpu")   # arrays, not functions: "${on_server[@]}" cmd & makes $! the server's own pid
on_client=(taskset -c "$client_cpu")

if [ -n "${ECHOLAB_JAR:-}" ]; then
  jar=$ECHOLAB_JAR
  [ -f "$jar" ] || { echo "perf-check: ECHOLAB_JAR=$jar: no such file" >&2; exit 3; }
else
  jar="$here/app/target/echolab.jar"
  if [ ! -f "$jar" ] || [ -n "$(find "$here/app/src/main" "$here/app/pom.xml" "$here/pom.xml" -newer "$jar" -print -quit)" ]; then
    (cd "$here" && ./mvnw -B -q -DskipTests -pl app -am package) >&2 || {
      echo "perf-check: build failed; run './mvnw -pl app -am package' to see why" >&2; exit 3; }
  fi
fi
tmp=$(mktemp -d /tmp/perf-check.XXXXXX)
started=()   # every pid this script started; each is stopped by pid
stop() { # pid: SIGTERM, wait
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
cleanup() {
  for p in "${started[@]}"; do stop "$p"; done
  rm -rf "$tmp"
}
trap cleanup EXIT
cp "$jar" "$tmp/echolab.jar"     # a rebuild during the check must not change the servers under it
java=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED)
echolab=("${java[@]}" -jar "$tmp/echolab.jar")
floor_java_for() { # floor-N: server_java with the flags of the model of its design (a selector: eventloop; else virtual)
  if [[ " ${floor_args[$1]} " == *" selector "* ]]; then server_java_for eventloop; else server_java_for virtual; fi
}
server_java_for() { # model [flags]: sets server_java, the java command of its server, which runs on one core
  local opts
  if [ $# -gt 1 ]; then
    read -ra opts <<<"$2"   # a -J variant's own
  else
    read -ra opts <<<"${ECHOLAB_SERVER_JVM_OPTS-$(echolab_one_core_jvm_opts "$1")}"
  fi
  server_java=("$JAVA_HOME/bin/java" "${opts[@]}" --enable-native-access=ALL-UNNAMED)
}

known=$("${echolab[@]}" models | awk '{print $1}')
IFS=, read -ra model_list <<<"$models"
for m in "${model_list[@]}"; do
  grep -qx -- "$m" <<<"$known" || { echo "perf-check: -m $models: '$m' is not a model; choose from $(paste -sd, <<<"$known")" >&2; exit 2; }
done
declare -A variant_model variant_flags variant_jar floor_args   # each -J as a server of its own: variant-N; each -B: build-N; each -F: floor-N
variant_names=()
for i in "${!variants[@]}"; do
  v=${variants[$i]}
  [[ $v =~ ^([a-z-]+):(.*[^[:space:]].*)$ ]] || { echo "perf-check: -J '$v': give MODEL:FLAGS, e.g. -J 'pool:-XX:+UseSerialGC -Xmn16m'" >&2; exit 2; }
  grep -qx -- "${BASH_REMATCH[1]}" <<<"$known" || { echo "perf-check: -J '$v': '${BASH_REMATCH[1]}' is not a model; choose from $(paste -sd, <<<"$known")" >&2; exit 2; }
  variant_names+=("variant-$((i + 1))")
  variant_model[variant-$((i + 1))]=${BASH_REMATCH[1]}
  variant_flags[variant-$((i + 1))]=${BASH_REMATCH[2]}
  read -ra flags <<<"${BASH_REMATCH[2]}"
  "$JAVA_HOME/bin/java" "${flags[@]}" -version >/dev/null 2>&1 || {
    echo "perf-check: -J '$v': java does not start with these flags: $("$JAVA_HOME/bin/java" "${flags[@]}" -version 2>&1 | head -1)" >&2; exit 2; }
done
for i in "${!builds[@]}"; do
  b=${builds[$i]} name=build-$((i + 1))
  [[ $b =~ ^([a-z-]+):(.+)$ ]] || { echo "perf-check: -B '$b': give MODEL:JAR, e.g. -B 'eventloop:/tmp/before.jar'" >&2; exit 2; }
  [ -f "${BASH_REMATCH[2]}" ] || { echo "perf-check: -B '$b': no such file: ${BASH_REMATCH[2]}" >&2; exit 2; }
  [[ ,$models, == *,${BASH_REMATCH[1]},* ]] || {
    echo "perf-check: -B '$b': ${BASH_REMATCH[1]} is not in -m $models; a build is weighed against the same model from this one" >&2; exit 2; }
  variant_names+=("$name")
  variant_model[$name]=${BASH_REMATCH[1]}
  variant_jar[$name]=${BASH_REMATCH[2]}
  cp "${BASH_REMATCH[2]}" "$tmp/$name.jar"   # as the main jar: a rebuild during the check changes nothing
  "${java[@]}" -jar "$tmp/$name.jar" models 2>/dev/null | awk '{print $1}' | grep -qx -- "${variant_model[$name]}" || {
    echo "perf-check: -B '$b': ${BASH_REMATCH[2]} is not an EchoLab jar with the model '${variant_model[$name]}' (java -jar ${BASH_REMATCH[2]} models lists them)" >&2; exit 2; }
done
floor_names=()
[ ${#floors[@]} -eq 0 ] || has_section busy || {
  echo "perf-check: -F '${floors[0]}': a floor is measured in the busy rounds only; add busy to -s $sections" >&2; exit 2; }
[ ${#floors[@]} -eq 0 ] || cp "$here/scripts/ServerFloor.java" "$tmp/"   # as the jars: an edit during the check changes nothing
for i in "${!floors[@]}"; do
  f=${floors[$i]}
  # SECONDS 0: it ends as soon as it starts, or refuses FLOOR-ARGS with its usage (exit 2)
  read -ra args <<<"$f"
  "$JAVA_HOME/bin/java" "$tmp/ServerFloor.java" 0 0 "${args[@]}" >/dev/null 2>"$tmp/floor.err" || {
    echo "perf-check: -F '$f': $(head -1 "$tmp/floor.err" | sed 's/^ServerFloor: //')" >&2; exit 2; }
  floor_names+=("floor-$((i + 1))")
  floor_args[floor-$((i + 1))]=$f
done

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
wait_for_port() { # port: until it accepts a connection, at most 20 s
  for _ in $(seq 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "perf-check: nothing listens on port $1 after 20 s" >&2
  exit 3
}

# start_server NAME PORT: starts it on the server's core in the background; sets $pid.
# NAME is nginx, nginx-sleep1 (every answer after 1 s), nginx-headers (EchoLab's headers: -H), a
# -F floor or a model.
start_server() {
  local name=$1 port=$2
  case $name in
    nginx|nginx-sleep1|nginx-headers)
      local sleep= headers=
      [ "$name" = nginx-sleep1 ] && sleep='echo_sleep 1;'
      [ "$name" = nginx-headers ] && headers='server_tokens off; default_type "text/plain; charset=utf-8";
      add_header Access-Control-Allow-Origin "*"; add_header Access-Control-Allow-Credentials true;
      add_header X-Echo-Model nginx; add_header X-Echo-Worker "pid=$pid";
      add_header X-Echo-Request $connection_requests; add_header X-Content-Type-Options nosniff;'
      local d="$tmp/$name-$port"; mkdir -p "$d/logs"
      cat >"$d/nginx.conf" <<EOF
load_module $echo_module;
daemon off;
worker_processes 1;
worker_rlimit_nofile 40000;
pid $d/nginx.pid;
error_log $d/logs/error.log warn;
events { worker_connections 30000; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 600s;
  client_body_temp_path $d/body;
  proxy_temp_path $d/proxy;
  fastcgi_temp_path $d/fastcgi;
  uwsgi_temp_path $d/uwsgi;
  scgi_temp_path $d/scgi;
  server {
    listen 127.0.0.1:$port backlog=4096;
    location /echo { $headers $sleep echo -n \$arg_msg; }
    location /health { return 200 "ok\n"; }
  }
}
EOF
      "${on_server[@]}" nginx -p "$d" -c "$d/nginx.conf" -e "$d/logs/error.log" >"$d/logs/stdout" 2>&1 & ;;
    floor-*)   # bounded by itself to an hour, and stopped by its pid with the rest
      local args; read -ra args <<<"${floor_args[$name]}"
      floor_java_for "$name"
      "${on_server[@]}" "${server_java[@]}" "$tmp/ServerFloor.java" "$port" 3600 "${args[@]}" \
        >"$tmp/serve-$port.out" 2>"$tmp/serve-$port.err" & ;;
    *)   # an EchoLab model; a -J variant with its own flags, a -B build from its own jar
      local model=${variant_model[$name]:-$name} jar=$tmp/echolab.jar
      case $name in
        variant-*) server_java_for "$model" "${variant_flags[$name]}" ;;
        build-*) server_java_for "$model"; jar=$tmp/$name.jar ;;
        *) server_java_for "$model" ;;
      esac
      "${on_server[@]}" "${server_java[@]}" -jar "$jar" serve --model "$model" --port "$port" --idle-timeout 10m --max-per-client 0 --monitor-port -1 \
        >"$tmp/serve-$port.out" 2>"$tmp/serve-$port.err" & ;;
  esac
  pid=$!   # taskset execs the server: this is the server's own pid
  started+=("$pid")
  wait_for_port "$port"
}
# -B: each build against the same model from this build, by the ratios of the figures of the same
# round, where the machine's swings from one round to the next cancel out.
builds_table() {
  local titled=false v m
  for v in "${variant_names[@]}"; do
    [[ $v == build-* ]] || continue
    m=${variant_model[$v]}
    if ! $titled; then
      printf '\n-B: this build against another, the ratio of their figures in each round, median (min-max) of the rounds;\n'
      printf 'req/s: this build'"'"'s over the other'"'"'s; server µs/request: the other'"'"'s over this build'"'"'s (above 1: this build is faster)\n'
      printf '| %-16s | %-24s | %-24s | %-24s |\n' "model, other build" "wrk req/s" "echolab load req/s" "server µs/request"
      printf '|%s|\n' "---|---|---|---"
      titled=true
    fi
    printf '| %-16s | %-24s | %-24s | %-24s |\n' "$(label "$v")" "$(paired "$tmp/busy-wrk-$m" "$tmp/busy-wrk-$v" rps)" \
      "$(paired "$tmp/busy-load-$m" "$tmp/busy-load-$v" rps)" "$(paired "$tmp/busy-wrk-$m" "$tmp/busy-wrk-$v" us)"
  done
}
paired() { # THIS OTHER rps|us: the rounds' ratios of this server's figure to the other's, median (min-max)
  python3 - "$@" <<'EOF'
import statistics, sys
this, other, what = sys.argv[1:4]
def figures(path):  # per round: req/s, or the server's µs per request (its CPU % over req/s)
    rows = [[float(x) for x in line.split()] for line in open(path) if line.strip()]
    return [r[0] if what == "rps" else r[3] / 100 / r[0] * 1e6 for r in rows]
ratios = [a / b if what == "rps" else b / a for a, b in zip(figures(this), figures(other))]
print(f"{statistics.median(ratios):.3f} ({min(ratios):.3f}-{max(ratios):.3f})")
EOF
}
label() {
  case $1 in
    nginx|nginx-sleep1) echo "nginx, 1 worker" ;;
    nginx-headers) echo "nginx, EchoLab's headers" ;;
    variant-*) echo "${variant_model[$1]} ${variant_flags[$1]}" ;;
    build-*) echo "${variant_model[$1]}, ${variant_jar[$1]}" ;;
    floor-*) echo "floor ${floor_args[$1]:-(virtual threads)}" ;;
    *) echo "$1" ;;
  esac
}

tree_pids() { # pid: it and its descendants
  local p=$1
  echo "$p"
  for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do tree_pids "$c"; done
}
pss_kib() { # pid: PSS of the tree
  local sum=0
  for p in $(tree_pids "$1"); do
    sum=$((sum + $(awk '/^Pss:/ {print $2}' /proc/"$p"/smaps_rollup 2>/dev/null || echo 0)))
  done
  echo "$sum"
}
ulimit -n 40000 2>/dev/null || true   # 10,000 connections on each side, and nginx's own

# wrk_run URL [SECONDS] -> "req/s p99-ms wrk-cpu-% wrk-seconds bytes-per-answer" (exits if wrk saw an error or a
# status other than 2xx). wrk's CPU, as a share of the time it ran, is read with `times`: its
# children's CPU, which is wrk's alone when wrk_run runs in a subshell of its own, $(wrk_run ...)
# wrk leaves an answer later than its --timeout (2 s unless told) out of its latency figures and
# counts it as a timeout error instead; with a timeout longer than the run, every answer the run
# gets is in its percentiles, however late (virtual's held-back connections, the docs' "tails").
wrk_timeout() { echo $(( ${1:-$seconds} + 10 )); }
wrk_run() {
  local start; start=$(date +%s%N)
  "${on_client[@]}" wrk -t1 -c"$connections" -d"${2:-$seconds}s" --timeout "$(wrk_timeout "${2:-}")s" --latency "$1" >"$tmp/wrk.out" 2>&1 || {
    echo "perf-check: wrk against $1 failed:" >&2; cat "$tmp/wrk.out" >&2; exit 1; }
  times >"$tmp/wrk.times"   # a builtin, in this shell: its second line is its children's user and system time
  echo "$(( $(date +%s%N) - start ))" >>"$tmp/wrk.times"
  if grep -qE '^ *(Socket errors|Non-2xx)' "$tmp/wrk.out"; then
    echo "perf-check: wrk against $1 saw errors:" >&2; cat "$tmp/wrk.out" >&2; exit 1
  fi
  python3 - "$tmp/wrk.out" "$tmp/wrk.times" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
unit = {"us": 1e-3, "ms": 1.0, "s": 1e3}
rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M).group(1)
v, u = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", text, re.M).groups()
times = open(sys.argv[2]).read().split()   # shell user, system; children's user, system; wall ns
cpu = sum(int(m) * 60 + float(s) for m, s in (re.fullmatch(r"(\d+)m([\d.]+)s", t).groups() for t in times[2:4]))
wall = int(times[4]) / 1e9
b, bu = re.search(r"^Transfer/sec:\s+([\d.]+)(B|KB|MB|GB)\s*$", text, re.M).groups()   # wrk's units are 1024-based
size = float(b) * {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}[bu] / float(rps)
print(rps, float(v) * unit[u], f"{100 * cpu / wall:.1f}", f"{wall:.3f}", f"{size:.0f}")
EOF
}

# cpu_ticks PID -> the clock ticks (user and system, softirq work done in its time included) its
# tree has run for so far: the server's own CPU, whatever else shares its core
cpu_ticks() {
  local sum=0 p t
  for p in $(tree_pids "$1"); do
    t=$(sed 's/^.*) //' /proc/"$p"/stat 2>/dev/null | awk '{print $12 + $13}') || t=0
    sum=$((sum + ${t:-0}))
  done
  echo "$sum"
}
hz=$(getconf CLK_TCK)

# load URL [OPTION...] -> "req/s p99 p99.9 fell-behind generator-lag-p99" (exits if any echo was wrong)
load() {
  local url=$1 out; shift
  out=$("${on_client[@]}" "${echolab[@]}" load "$url" -c "$connections" -d "${seconds}s" --warmup 1s "$@" --json -q 2>"$tmp/load.err") || {
    echo "perf-check: echolab load $url $* failed:" >&2; cat "$tmp/load.err" >&2; exit 1; }
  python3 -c 'import json,sys; r=json.load(sys.stdin); l=r["latencyMillis"]; print(r["throughput"], l["p99"], l["p99.9"], int(r.get("fellBehind", False)), r.get("generatorLagP99Millis", 0))' <<<"$out"
}

# summary FILE COLUMN -> "median (min-max)"
summary() {
  python3 - "$1" "$2" <<'EOF'
import sys, statistics
vals = [float(l.split()[int(sys.argv[2])]) for l in open(sys.argv[1]) if l.strip()]
fmt = lambda v: f"{v:,.0f}" if abs(v) >= 100 else (f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}")
print(f"{fmt(statistics.median(vals))} ({fmt(min(vals))}-{fmt(max(vals))})" if vals else "-")
EOF
}
median() { python3 -c 'import sys,statistics; print(statistics.median(float(l) for l in sys.stdin if l.strip()))'; }
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
three_digits() { python3 -c "v = $1; print(f'{v:.3g}' if v < 1000 else f'{v:,.0f}')"; }   # 0.318, 2.16, 34, 1,250
# cpu_table: the CPU each server and wrk used in the wrk rounds, as a share of one core, each
# server's CPU per request (its share / req/s, per round) and the bytes of its answers; names the
# servers that used less than 90% of their core, whose CPU per request is no measure of their cost
cpu_table() {
  local s f
  for s in "${servers[@]}"; do   # req/s p99 wrk-% server-% bytes -> that and the server's µs per request
    awk '{ printf "%s %s %s %s %s %.3f\n", $1, $2, $3, $4, $5, $4 / 100 / $1 * 1e6 }' "$tmp/busy-wrk-$s" >"$tmp/cpu-$s"
  done
  printf '\nCPU in the wrk rounds, as a share of one core: the server'"'"'s (its processes'"'"', /proc/PID/stat) and wrk'"'"'s; the server'"'"'s CPU per request (its share / req/s) and its ratio: nginx'"'"'s / the server'"'"'s; the bytes of an answer, head and body (wrk'"'"'s transfer / requests)\n'
  printf '| %-16s | %-24s | %-24s | %-27s | %-6s | %-12s |\n' server "server CPU % (min-max)" "wrk CPU % (min-max)" "server µs/request (min-max)" ratio "answer bytes"
  printf '|%s|\n' "---|---|---|---|---|---"
  local base; base=$(cut -d' ' -f6 "$tmp/cpu-nginx" | median)
  for s in "${servers[@]}"; do
    f="$tmp/cpu-$s"
    printf '| %-16s | %-24s | %-24s | %-27s | %-6s | %-12s |\n' "$(label "$s")" "$(summary "$f" 3)" "$(summary "$f" 2)" "$(summary "$f" 5)" \
      "$(ratio "$base" "$(cut -d' ' -f6 "$f" | median)")" "$(cut -d' ' -f5 "$f" | median | xargs printf '%.0f')"
  done
  local waited=()   # servers that used less than 90% of their core
  for s in "${servers[@]}"; do
    python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) < 90 else 1)' "$(cut -d' ' -f4 "$tmp/cpu-$s" | median)" && waited+=("$(label "$s")")
  done
  if [ ${#waited[@]} -gt 0 ]; then
    local names; names=$(printf '%s, ' "${waited[@]}")
    printf '\nWAITED: the server used less than 90%% of its core in the wrk rounds (median) of %s: it served fewer requests than its core allows (waiting for its client, for its own threads, or for a core it shared with other load), and its CPU per request is no measure of its cost\n' "${names%, }"
  fi
}
row() { printf '| %-16s | %-26s | %-6s | %-24s |\n' "$@"; }
busy_row() { printf '| %-16s | %-26s | %-6s | %-20s | %-24s |\n' "$@"; }

echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/^Mem:/ {print $2}') GiB," \
     "$(uname -sr), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), $(nginx -v 2>&1), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"
built_from() { # what the main jar was built from: ECHOLAB_JAR's path, or the commit (and whether the sources differ from it)
  if [ -n "${ECHOLAB_JAR:-}" ]; then
    echo "the jar $ECHOLAB_JAR"
  else
    echo "commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')$(
      [ -z "$(git -C "$here" status --porcelain --untracked-files=no -- app pom.xml 2>/dev/null)" ] || echo ' with uncommitted changes')"
  fi
}
echo "check:   $(date -u +%FT%TZ), $rounds round$([ "$rounds" = 1 ] || echo s) of ${seconds}s, each server warmed up for $warmup s first, $(built_from)"
echo "servers: on core $server_cpu (taskset -c $server_cpu): nginx with 1 worker; java FLAGS --enable-native-access=ALL-UNNAMED -jar echolab.jar serve --model M" \
     "--idle-timeout 10m --max-per-client 0 --monitor-port -1"
echo "clients: on core $client_cpu (taskset -c $client_cpu): wrk -t1 -c$connections --timeout $(wrk_timeout)s --latency; echolab load -c $connections --warmup 1s (same JVM)"
for m in "${model_list[@]}"; do   # FLAGS by model: scripts/server-jvm.sh's and the JVM's own choices on one core
  server_java_for "$m"
  echo "server JVM flags of $m on one core (scripts/server-jvm.sh's and the JVM's own): $("${on_server[@]}" "${server_java[@]}" -XX:+PrintCommandLineFlags -version 2>/dev/null | head -1)"
done
for v in "${variant_names[@]}"; do
  case $v in
    variant-*)
      server_java_for "${variant_model[$v]}" "${variant_flags[$v]}"
      echo "server JVM flags of $(label "$v") on one core (-J's and the JVM's own): $("${on_server[@]}" "${server_java[@]}" -XX:+PrintCommandLineFlags -version 2>/dev/null | head -1)" ;;
    build-*)
      echo "build of $(label "$v"): sha256 $(sha256sum "$tmp/$v.jar" | cut -c1-12), its model's flags" ;;
  esac
done
for f in "${floor_names[@]}"; do
  floor_java_for "$f"
  echo "$(label "$f"): ${server_java[*]} scripts/ServerFloor.java PORT 3600${floor_args[$f]:+ ${floor_args[$f]}} (wrk rounds only)"
done

# ---- busy and open: servers started once, warmed up, measured round-robin --------------------
declare -A port_of pid_of
servers=(nginx)
$with_headers && servers+=(nginx-headers)
servers+=("${model_list[@]}" "${variant_names[@]}")   # -H's nginx, -J's variants and -B's builds in the busy and open rounds only
checked=("${servers[@]}")        # those echolab load measures too: all but the floors, whose hello it would count as a wrong echo
servers+=("${floor_names[@]}")   # -F's floors: the busy rounds' wrk runs only (-F without busy is refused)
if has_section busy || has_section open; then
  for s in "${servers[@]}"; do
    port_of[$s]=$(free_port); start_server "$s" "${port_of[$s]}"; pid_of[$s]=$pid
    for ((left = warmup; left > 0; left -= 5)); do   # warm-up: JIT, pools; new connections each 5 s
      wrk_run "http://127.0.0.1:${port_of[$s]}/echo?msg=hello" $((left < 5 ? left : 5)) >/dev/null
    done
  done
fi

nginx_max=   # nginx's median req/s by echolab load: the open workload's 100%, by the client that runs it
if has_section busy; then
  for r in $(seq "$rounds"); do
    for s in "${servers[@]}"; do
      ticks=$(cpu_ticks "${pid_of[$s]}")
      res=$(wrk_run "http://127.0.0.1:${port_of[$s]}/echo?msg=hello")
      read -r rps p99 wrk_cpu wrk_seconds answer_bytes <<<"$res"
      # the server's share of its core while wrk ran (it is idle before and after)
      server=$(python3 -c "print(f'{100 * ($(cpu_ticks "${pid_of[$s]}") - $ticks) / $hz / $wrk_seconds:.1f}')")
      echo "$rps $p99 $wrk_cpu $server $answer_bytes" >>"$tmp/busy-wrk-$s"   # req/s p99 wrk-% server-% bytes
      if $each_round; then
        printf 'round %d %s: wrk %s req/s, p99 %s ms; server CPU %s%%, %s µs/request; wrk CPU %s%%\n' "$r" "$(label "$s")" \
          "$(python3 -c "print(f'{$rps:,.0f}')")" "$(three_digits "$p99")" "$server" \
          "$(python3 -c "print(f'{$server / 100 / $rps * 1e6:.2f}')")" "$wrk_cpu"
      fi
      [[ $s == floor-* ]] && continue   # not one of $checked
      res=$(load "http://127.0.0.1:${port_of[$s]}/echo")
      echo "$res" | cut -d' ' -f1-2 >>"$tmp/busy-load-$s"
      if $each_round; then
        printf 'round %d %s: echolab load %s req/s, p99 %s ms\n' "$r" "$(label "$s")" \
          "$(python3 -c "print(f'{$(cut -d' ' -f1 <<<"$res"):,.0f}')")" "$(three_digits "$(cut -d' ' -f2 <<<"$res")")"
      fi
    done
  done
  nginx_max=$(cut -d' ' -f1 "$tmp/busy-load-nginx" | median)
  printf '\n%d keep-alive connections, /echo with no wait; server on core %d, client on core %d; %d rounds of %ss\n' \
    "$connections" "$server_cpu" "$client_cpu" "$rounds" "$seconds"
  for client in wrk load; do
    case $client in
      wrk)  printf '\nclient: wrk -t1 -c%d -d%ss --timeout %ss --latency\n' "$connections" "$seconds" "$(wrk_timeout)" ;;
      load) printf '\nclient: echolab load -c %d -d %ss --warmup 1s\n' "$connections" "$seconds" ;;
    esac
    base=$(cut -d' ' -f1 "$tmp/busy-$client-nginx" | median)
    measured=("${servers[@]}"); [ "$client" = load ] && measured=("${checked[@]}")
    busy_row server "req/s median (min-max)" ratio "× nginx by round" "p99 ms median (min-max)"
    printf '|%s|\n' "---|---|---|---|---"
    for s in "${measured[@]}"; do
      f="$tmp/busy-$client-$s"
      busy_row "$(label "$s")" "$(summary "$f" 0)" "$(ratio "$(cut -d' ' -f1 "$f" | median)" "$base")" \
        "$(paired "$f" "$tmp/busy-$client-nginx" rps)" "$(summary "$f" 1)"
    done
  done
  cpu_table
  builds_table
fi

if has_section open; then
  if [ -z "$nginx_max" ]; then   # no busy section: nginx's max by echolab load now
    nginx_max=$(for _ in $(seq "$rounds"); do load "http://127.0.0.1:${port_of[nginx]}/echo" | cut -d' ' -f1; done | median)
  fi
  percents=(50 90)
  for r in $(seq "$rounds"); do
    for pc in "${percents[@]}"; do
      rate=$(python3 -c "print(round($nginx_max * $pc / 100))")
      for s in "${checked[@]}"; do
        load "http://127.0.0.1:${port_of[$s]}/echo" --rate "$rate" >>"$tmp/open-$pc-$s"
      done
    done
  done
  for pc in "${percents[@]}"; do
    rate=$(python3 -c "print(round($nginx_max * $pc / 100))")
    printf '\nopen workload at %d%% of nginx'"'"'s %s req/s by echolab load: %s req/s; latency from the intended send time (%d rounds of %ss)\n' \
      "$pc" "$(python3 -c "print(f'{$nginx_max:,.0f}')")" "$rate" "$rounds" "$seconds"
    printf 'client: echolab load -c %d --rate %s -d %ss --warmup 1s\n' "$connections" "$rate" "$seconds"
    printf '| %-16s | %-26s | %-24s | %-24s | %-11s | %-22s |\n' server "req/s median (min-max)" "p99 ms median (min-max)" \
      "p99.9 ms median (min-max)" "fell behind" "generator lag p99 ms"
    printf '|%s|\n' "---|---|---|---|---|---"
    for s in "${checked[@]}"; do
      f="$tmp/open-$pc-$s"
      printf '| %-16s | %-26s | %-24s | %-24s | %-11s | %-22s |\n' "$(label "$s")" "$(summary "$f" 0)" "$(summary "$f" 1)" "$(summary "$f" 2)" \
        "$(awk '{n += $4} END {print n " of " NR}' "$f")" "$(summary "$f" 4)"
    done
  done
fi
if has_section busy || has_section open; then
  for s in "${servers[@]}"; do stop "${pid_of[$s]}"; done
fi

# ---- idle: memory per idle keep-alive connection ---------------------------------------------
if has_section idle; then
  idle_servers=(nginx)
  for m in eventloop virtual netty netty-uring; do [[ ,$models, == *,$m,* ]] && idle_servers+=("$m"); done
  for r in $(seq "$rounds"); do
    for s in "${idle_servers[@]}"; do
      port=$(free_port); start_server "$s" "$port"; server=$pid
      curl -s "http://127.0.0.1:$port/health" >/dev/null; sleep 1
      before=$(pss_kib "$server")
      "${on_client[@]}" "${java[@]}" "$here/scripts/IdleClients.java" "$port" "$idle" 120 >"$tmp/idle.out" 2>&1 &
      client=$!; started+=("$client")
      for _ in $(seq 600); do grep -q '^idle' "$tmp/idle.out" && break; sleep 0.1; done
      grep -q '^idle' "$tmp/idle.out" || { echo "perf-check: $s did not get $idle idle connections:" >&2; cat "$tmp/idle.out" >&2; exit 1; }
      sleep 2
      after=$(pss_kib "$server")
      python3 -c "print(($after - $before) / $idle)" >>"$tmp/idle-$s"
      stop "$client"; stop "$server"
    done
  done
  printf '\n%d idle keep-alive connections, after one request each (%d rounds, a fresh server each;' "$idle" "$rounds"
  printf ' PSS rise of the server'"'"'s process tree over the idle server / connections, no forced GC)\n'
  printf '| %-16s | %-36s |\n' server "KiB per connection median (min-max)"
  printf '|%s|\n' "---|---"
  for s in "${idle_servers[@]}"; do printf '| %-16s | %-36s |\n' "$(label "$s")" "$(summary "$tmp/idle-$s" 0)"; done
fi

# ---- waiting: many clients, each waiting 1 s --------------------------------------------------
if has_section waiting; then
  wait_servers=(nginx-sleep1)
  for m in eventloop virtual; do [[ ,$models, == *,$m,* ]] && wait_servers+=("$m"); done
  for r in $(seq "$rounds"); do
    for s in "${wait_servers[@]}"; do
      port=$(free_port); start_server "$s" "$port"; server=$pid
      out=$("${on_client[@]}" "${echolab[@]}" load "http://127.0.0.1:$port/echo" -c "$waiting" -d "${seconds}s" --warmup 5s \
              --wait 1s --timeout 10s --json -q 2>"$tmp/load.err") || {
        echo "perf-check: echolab load against $s with $waiting waiting clients failed:" >&2; cat "$tmp/load.err" >&2; exit 1; }
      python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["throughput"], r["latencyMillis"]["p99"])' <<<"$out" >>"$tmp/wait-$s"
      stop "$server"
    done
  done
  base=$(cut -d' ' -f1 "$tmp/wait-nginx-sleep1" | median)
  printf '\n%d clients each waiting 1 s (bound %d req/s; %d rounds of %ss after 5 s to connect, a fresh server each)\n' \
    "$waiting" "$waiting" "$rounds" "$seconds"
  row server "req/s median (min-max)" ratio "p99 ms median (min-max)"
  printf '|%s|\n' "---|---|---|---"
  for s in "${wait_servers[@]}"; do
    f="$tmp/wait-$s"
    row "$(label "$s")" "$(summary "$f" 0)" "$(ratio "$(cut -d' ' -f1 "$f" | median)" "$base")" "$(summary "$f" 1)"
  done
fi
