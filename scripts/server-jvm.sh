# Sourced by ./echolab (for `serve`), scripts/perf-check.sh and `echolab bench` (for the servers it
# pins to one core): the JVM flags of an EchoLab server on one core, declared once. ECHOLAB_SERVER_JVM_OPTS replaces them; set it empty for the JVM's own
# choices.
#   -XX:+UseSerialGC  the collector the JVM picks by itself on one processor, written out: no
#                     collector threads to share the core with.
#   -Xmn16m           a young generation of 16 MiB instead of the 125 MiB sized from the machine's
#                     memory: the garbage of accepts and requests reuses the same pages, so an idle
#                     connection costs about what it holds (eventloop 1.2 KiB, not 5.2); the
#                     collections this takes cost about 1% of the core at 140,000 req/s, and
#                     thread and pool, whose 50-200 threads each collection stops, 2-3x their p99.
# How they were chosen and measured: docs/performance.md, "Memory per idle connection".
# shellcheck disable=SC2034  # used by the scripts that source this one
echolab_one_core_jvm_opts="-XX:+UseSerialGC -Xmn16m"
# ./echolab serve gives them to a server that may run on one processor only (nproc counts the CPUs
# this process may use: 1 under `taskset -c 0`); on more, the JVM's own choices stand
if [ -n "${ECHOLAB_SERVER_JVM_OPTS+set}" ]; then
  echolab_server_jvm_opts=$ECHOLAB_SERVER_JVM_OPTS
elif [ "$(nproc)" = 1 ]; then
  echolab_server_jvm_opts=$echolab_one_core_jvm_opts
else
  echolab_server_jvm_opts=
fi
