#!/usr/bin/env bash
# The performance check: how far each model is from nginx on this machine, in one run.
# Prints, for every server below, the median and the spread (min-max) over ROUNDS rounds of:
#   busy     50 keep-alive connections, no wait: req/s, p99, ratio to nginx (1 worker), CPU µs per request
#            (nginx with 1 and 2 workers; eventloop --loops 1 and 2; virtual; pool), and wrk against
#            nginx in the same rounds, so a reader sees the load generator keep ahead of the server
#   idle     IDLE idle keep-alive connections: PSS per connection, KiB (nginx, eventloop, virtual)
#   waiting  WAITING clients each waiting 1 s: req/s (bound: WAITING / 1 s), p99, ratio to nginx
# Every server is started by this script on 127.0.0.1 and a free port, and stopped by its pid.
# Busy rounds go round-robin over the servers (started once, warmed up first), so noise from the
# shared machine falls on all of them alike; idle and waiting start a fresh server per round.
#
# Usage (run it alone on the machine: measurements must not overlap):
#   scripts/perf-check.sh [-r ROUNDS=3] [-d SECONDS=5] [-i IDLE=10000]
#                                                       [-w WAITING=10000] [-s busy,idle,waiting]
# Needs: a JDK 25 (found like ./echolab does), nginx with Debian's echo module
# (apt-get install nginx-light libnginx-mod-http-echo), wrk, python3, curl.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
# shellcheck source=find-jdk.sh
source "$here/scripts/find-jdk.sh"
echolab_find_jdk || exit 3

rounds=3 seconds=5 idle=10000 waiting=10000 sections=busy,idle,waiting connections=50
while getopts "r:d:i:w:s:h" opt; do
  case $opt in
    r) rounds=$OPTARG ;;
    d) seconds=$OPTARG ;;
    i) idle=$OPTARG ;;
    w) waiting=$OPTARG ;;
    s) sections=$OPTARG ;;
    *) sed -n '2,18p' "$0"; exit 2 ;;
  esac
done
for tool in nginx wrk python3 curl; do
  command -v "$tool" >/dev/null || { echo "perf-check: $tool is not installed (apt-get install nginx-light libnginx-mod-http-echo wrk python3 curl)" >&2; exit 3; }
done
echo_module=/usr/lib/nginx/modules/ngx_http_echo_module.so
[ -e "$echo_module" ] || { echo "perf-check: $echo_module missing: apt-get install libnginx-mod-http-echo" >&2; exit 3; }

jar="$here/app/target/echolab.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$here/app/src/main" -newer "$jar" -print -quit)" ]; then
  (cd "$here" && ./mvnw -B -q -DskipTests -pl app -am package) >&2
fi
tmp=$(mktemp -d /tmp/perf-check.XXXXXX)
cp "$jar" "$tmp/echolab.jar"     # a rebuild during the check must not change the servers under it
java=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED)
echolab=("${java[@]}" -jar "$tmp/echolab.jar")

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

# start_server NAME PORT: starts it in the background; sets $pid
start_server() {
  local name=$1 port=$2
  case $name in
    nginx-*w|nginx-*w-sleep1)
      local workers=${name#nginx-}; workers=${workers%%w*} sleep=
      [[ $name == *-sleep1 ]] && sleep='echo_sleep 1;'
      local d="$tmp/$name-$port"; mkdir -p "$d/logs"
      cat >"$d/nginx.conf" <<EOF
load_module $echo_module;
daemon off;
worker_processes $workers;
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
    location /echo { $sleep echo -n \$arg_msg; }
    location /health { return 200 "ok\n"; }
  }
}
EOF
      nginx -p "$d" -c "$d/nginx.conf" -e "$d/logs/error.log" & ;;
    *)
      local model=${name%% *} args=()
      [ "$name" != "$model" ] && read -ra args <<<"${name#* }"
      "${echolab[@]}" serve --model "$model" "${args[@]}" --port "$port" --idle-timeout 10m --max-per-client 0 \
        >"$tmp/serve-$port.out" 2>"$tmp/serve-$port.err" & ;;
  esac
  pid=$!
  started+=("$pid")
  wait_for_port "$port"
}

tree_pids() { # pid: it and its descendants
  local p=$1
  echo "$p"
  for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do tree_pids "$c"; done
}
cpu_ticks() { # pid: user + system clock ticks of the tree
  local sum=0
  for p in $(tree_pids "$1"); do
    sum=$((sum + $(awk '{print $14 + $15}' /proc/"$p"/stat 2>/dev/null || echo 0)))
  done
  echo "$sum"
}
pss_kib() { # pid: PSS of the tree
  local sum=0
  for p in $(tree_pids "$1"); do
    sum=$((sum + $(awk '/^Pss:/ {print $2}' /proc/"$p"/smaps_rollup 2>/dev/null || echo 0)))
  done
  echo "$sum"
}
hz=$(getconf CLK_TCK)
ulimit -n 40000 2>/dev/null || true   # 10,000 connections on each side, and nginx's own

# load URL CONNECTIONS WAIT WARMUP -> "req/s p99" (exits if any echo was wrong)
load() {
  local url=$1 c=$2 wait=$3 warmup=$4 out extra=()
  [ "$wait" != 0 ] && extra=(--wait "$wait" --timeout 10s)
  out=$("${echolab[@]}" load "$url" -c "$c" -d "${seconds}s" --warmup "$warmup" "${extra[@]}" --json -q 2>"$tmp/load.err") || {
    echo "perf-check: echolab load against $url failed:" >&2; cat "$tmp/load.err" >&2; exit 1; }
  python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["throughput"], r["latencyMillis"]["p99"], r["errors"])' <<<"$out"
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

echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/^Mem:/ {print $2}') GiB," \
     "$(uname -sr), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), $(nginx -v 2>&1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "check:   $(date -u +%FT%TZ), $rounds rounds of ${seconds}s, commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')"

# ---- busy: 50 keep-alive connections, no wait ------------------------------------------------
if [[ ,$sections, == *,busy,* ]]; then
  servers=("nginx-1w" "nginx-2w" "eventloop --loops 1" "eventloop --loops 2" "virtual" "pool")
  declare -A port_of pid_of
  for s in "${servers[@]}"; do
    port_of[$s]=$(free_port); start_server "$s" "${port_of[$s]}"; pid_of[$s]=$pid
    load "http://127.0.0.1:${port_of[$s]}/echo" "$connections" 0 0s >/dev/null   # warm-up: JIT, pools
  done
  for r in $(seq "$rounds"); do
    for s in "${servers[@]}"; do
      before=$(cpu_ticks "${pid_of[$s]}")
      read -r rps p99 errors < <(load "http://127.0.0.1:${port_of[$s]}/echo" "$connections" 0 1s)
      after=$(cpu_ticks "${pid_of[$s]}")
      # CPU covers the warm-up second too: per request over the requests of warm-up + run, approximately
      cpu_us=$(python3 -c "print(($after - $before) / $hz / ($rps * ($seconds + 1)) * 1e6)")
      echo "$rps $p99 $cpu_us" >>"$tmp/busy-${s// /_}"
    done
    wrk -t2 -c"$connections" -d"${seconds}s" "http://127.0.0.1:${port_of[nginx-1w]}/echo?msg=hello" \
      | awk '/^Requests\/sec:/ {print $2}' >>"$tmp/wrk"
  done
  nginx_rps=$(cut -d' ' -f1 "$tmp/busy-nginx-1w" | median)
  printf '\n%d keep-alive connections, no wait (%d rounds of %ss; ratio: median req/s over nginx-1w'"'"'s)\n' "$connections" "$rounds" "$seconds"
  printf '| %-20s | %-26s | %-6s | %-22s | %-18s |\n' server "req/s median (min-max)" ratio "p99 ms median (min-max)" "CPU µs/req"
  printf '|%s|\n' "---|---|---|---|---"
  for s in "${servers[@]}"; do
    f="$tmp/busy-${s// /_}"
    ratio=$(python3 -c "print(f'{$(cut -d' ' -f1 "$f" | median) / $nginx_rps:.2f}')")
    printf '| %-20s | %-26s | %-6s | %-22s | %-18s |\n' "$s" "$(summary "$f" 0)" "$ratio" "$(summary "$f" 1)" "$(summary "$f" 2)"
  done
  wrk_rps=$(median <"$tmp/wrk")
  echo "wrk -t2 -c$connections against nginx-1w in the same rounds: $(paste -sd' ' "$tmp/wrk") req/s;" \
       "echolab load / wrk = $(python3 -c "print(f'{$nginx_rps / $wrk_rps:.2f}')")"
  for s in "${servers[@]}"; do stop "${pid_of[$s]}"; done
fi

# ---- idle: memory per idle keep-alive connection ---------------------------------------------
if [[ ,$sections, == *,idle,* ]]; then
  servers=("nginx-1w" "eventloop" "virtual")
  for r in $(seq "$rounds"); do
    for s in "${servers[@]}"; do
      port=$(free_port); start_server "$s" "$port"; server=$pid
      curl -s "http://127.0.0.1:$port/health" >/dev/null; sleep 1
      before=$(pss_kib "$server")
      "${java[@]}" "$here/scripts/IdleClients.java" "$port" "$idle" 120 >"$tmp/idle.out" 2>&1 &
      client=$!; started+=("$client")
      for _ in $(seq 600); do grep -q '^idle' "$tmp/idle.out" && break; sleep 0.1; done
      grep -q '^idle' "$tmp/idle.out" || { echo "perf-check: $s did not get $idle idle connections:" >&2; cat "$tmp/idle.out" >&2; exit 1; }
      sleep 2
      after=$(pss_kib "$server")
      python3 -c "print(($after - $before) / $idle)" >>"$tmp/idle-${s// /_}"
      stop "$client"; stop "$server"
    done
  done
  printf '\n%d idle keep-alive connections (%d rounds, a fresh server each; PSS rise of the process tree / connections)\n' "$idle" "$rounds"
  printf '| %-20s | %-26s |\n' server "KiB per connection median (min-max)"
  printf '|%s|\n' "---|---"
  for s in "${servers[@]}"; do printf '| %-20s | %-26s |\n' "$s" "$(summary "$tmp/idle-${s// /_}" 0)"; done
fi

# ---- waiting: many clients, each waiting 1 s --------------------------------------------------
if [[ ,$sections, == *,waiting,* ]]; then
  servers=("nginx-1w-sleep1" "eventloop" "virtual")
  for r in $(seq "$rounds"); do
    for s in "${servers[@]}"; do
      port=$(free_port); start_server "$s" "$port"; server=$pid
      before=$(cpu_ticks "$server")
      read -r rps p99 errors < <(load "http://127.0.0.1:$port/echo" "$waiting" 1s 5s)
      echo "$rps $p99 $errors" >>"$tmp/wait-${s// /_}"
      stop "$server"
    done
  done
  nginx_rps=$(cut -d' ' -f1 "$tmp/wait-nginx-1w-sleep1" | median)
  printf '\n%d clients each waiting 1 s (bound %d req/s; %d rounds of %ss after 5 s to connect, a fresh server each)\n' \
    "$waiting" "$waiting" "$rounds" "$seconds"
  printf '| %-20s | %-26s | %-6s | %-22s |\n' server "req/s median (min-max)" ratio "p99 ms median (min-max)"
  printf '|%s|\n' "---|---|---|---"
  for s in "${servers[@]}"; do
    f="$tmp/wait-${s// /_}"
    ratio=$(python3 -c "print(f'{$(cut -d' ' -f1 "$f" | median) / $nginx_rps:.2f}')")
    printf '| %-20s | %-26s | %-6s | %-22s |\n' "${s%-sleep1}" "$(summary "$f" 0)" "$ratio" "$(summary "$f" 1)"
  done
fi
