#!/usr/bin/env bash
# Is `echolab load` the bottleneck? Runs wrk and `echolab load` at the same connection count,
# one after the other, against two servers on 127.0.0.1, and prints each one's req/s and the ratio
# (echolab load / wrk; the issue asks for >= 0.8 against nginx):
#   1. nginx (Debian's nginx + libnginx-mod-http-echo), in the foreground with a config of our own
#   2. echolab serve --model virtual
# Each pairing runs ROUNDS times in alternating order; the ratio is of the medians of one run.
#
# Usage (benchmarks must not overlap; the lock makes sure):
#   scripts/loadgen-vs-wrk.sh [-c CONNECTIONS] [-d SECONDS] [-r ROUNDS] [-w NGINX_WORKERS]
# Needs: a JDK 25 (found like ./echolab does), wrk, nginx with the echo module, python3 (free ports).
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
# shellcheck source=find-jdk.sh
source "$here/scripts/find-jdk.sh"
echolab_find_jdk || exit 3

connections=50 seconds=10 rounds=3 nginx_workers=1 threads=2
while getopts "c:d:r:w:t:h" opt; do
  case $opt in
    c) connections=$OPTARG ;;
    d) seconds=$OPTARG ;;
    r) rounds=$OPTARG ;;
    w) nginx_workers=$OPTARG ;;
    t) threads=$OPTARG ;;
    *) sed -n '2,12p' "$0"; exit 2 ;;
  esac
done

for tool in wrk nginx python3; do
  command -v "$tool" >/dev/null || { echo "loadgen-vs-wrk: $tool is not installed (see .ci/run)" >&2; exit 3; }
done
echo_module=/usr/lib/nginx/modules/ngx_http_echo_module.so
[ -e "$echo_module" ] || { echo "loadgen-vs-wrk: $echo_module missing: apt-get install libnginx-mod-http-echo" >&2; exit 3; }

jar="$here/app/target/echolab.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$here/app/src/main" -newer "$jar" -print -quit)" ]; then
  (cd "$here" && ./mvnw -B -q -DskipTests -pl app -am package) >&2
fi
java=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar "$jar")

tmp=$(mktemp -d /tmp/loadgen-vs-wrk.XXXXXX)
nginx_pid= serve_pid=
cleanup() {
  # stop only what this script started, by pid
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_for_port() { # port: until it accepts a connection, at most 10 s
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "loadgen-vs-wrk: nothing listens on port $1 after 10 s" >&2
  exit 3
}

# ---- nginx: echo module, foreground, our own prefix, config, logs and temp dirs --------------
nginx_port=$(free_port)
mkdir -p "$tmp/nginx/logs"
cat >"$tmp/nginx/nginx.conf" <<EOF
load_module $echo_module;
daemon off;
worker_processes $nginx_workers;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    location /echo { echo -n \$arg_msg; }
  }
}
EOF
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/logs/error.log" &
nginx_pid=$!
wait_for_port "$nginx_port"

# ---- echolab serve --model virtual ------------------------------------------------------------
serve_port=$(free_port)
"${java[@]}" serve --model virtual --port "$serve_port" >"$tmp/serve.out" 2>"$tmp/serve.err" &
serve_pid=$!
wait_for_port "$serve_port"

run_wrk() { # url -> req/s
  wrk -t "$threads" -c "$connections" -d "${seconds}s" "$1" | awk '/^Requests\/sec:/ {print $2}'
}
run_load() { # url -> req/s (and fails loudly if any echo was wrong)
  local out
  out=$("${java[@]}" load "$1" -c "$connections" --threads "$threads" -d "${seconds}s" --warmup 2s --json -q 2>"$tmp/load.err") || {
    echo "loadgen-vs-wrk: echolab load reported errors:" >&2; cat "$tmp/load.err" >&2; exit 1; }
  sed -n 's/^ *"throughput" *: *\([0-9.]*\).*/\1/p' <<<"$out"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(uname -sr), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
echo "method: $connections connections, $threads client threads, ${seconds}s per run, $rounds rounds in alternating order; nginx worker_processes $nginx_workers"
echo "        wrk -t$threads -c$connections -d${seconds}s URL   vs   echolab load URL -c $connections --threads $threads -d ${seconds}s --warmup 2s (every echo verified)"

# warm the JVM server's JIT before anything is measured
"${java[@]}" load "http://127.0.0.1:$serve_port/echo" -c "$connections" -d 5s -q >/dev/null 2>&1 || true

printf '\n%-34s %12s %12s %8s\n' "server" "wrk req/s" "load req/s" "ratio"
for server in nginx echolab-virtual; do
  if [ "$server" = nginx ]; then port=$nginx_port; else port=$serve_port; fi
  url="http://127.0.0.1:$port/echo?msg=hello"
  load_url="http://127.0.0.1:$port/echo"
  : >"$tmp/wrk" ; : >"$tmp/load"
  for r in $(seq "$rounds"); do
    if [ $((r % 2)) -eq 1 ]; then
      run_wrk "$url" >>"$tmp/wrk"; run_load "$load_url" >>"$tmp/load"
    else
      run_load "$load_url" >>"$tmp/load"; run_wrk "$url" >>"$tmp/wrk"
    fi
  done
  w=$(median <"$tmp/wrk"); l=$(median <"$tmp/load")
  printf '%-34s %12.0f %12.0f %8.2f\n' "$server (:$port)" "$w" "$l" "$(awk -v l="$l" -v w="$w" 'BEGIN {print l / w}')"
  echo "  rounds: wrk $(paste -sd' ' "$tmp/wrk")  load $(paste -sd' ' "$tmp/load")"
done
