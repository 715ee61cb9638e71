# Sourced by ./echolab (for `serve`), scripts/perf-check.sh and `echolab bench` (for the servers it
# pins to one core): the JVM flags of an EchoLab server on one core, by model, declared once.
# ECHOLAB_SERVER_JVM_OPTS replaces them for every model; set it empty for the JVM's own choices.
#   -XX:+UseSerialGC  every model: the collector the JVM picks by itself on one processor, written
#                     out: no collector threads to share the core with.
#   -Xmn16m           a young generation of 16 MiB instead of the 125 MiB sized from the machine's
#                     memory, for the models whose connections hold no platform thread (eventloop,
#                     netty, netty-uring, virtual) and the process models' parents: the garbage of
#                     accepts and requests reuses the same pages, so an idle connection costs about
#                     what it holds (eventloop 1.2 KiB, not 5.2); the collections this takes cost
#                     about 1% of the core at 140,000 req/s.
#                     Not for the models that serve on platform threads (sequential, thread, pool,
#                     prethread, prethread-mutex): each collection stops every one of their 50-200
#                     threads, and ten times as many collections gave thread and pool 2-7x their p99.
# How they were chosen and measured: docs/performance.md, "Memory per idle connection".

# echolab_one_core_jvm_opts MODEL: the flags of MODEL's server on one core (no MODEL: the default
# model's, virtual)
echolab_one_core_jvm_opts() {
  case ${1:-} in
    sequential | thread | pool | prethread | prethread-mutex) echo "-XX:+UseSerialGC" ;;
    *) echo "-XX:+UseSerialGC -Xmn16m" ;;
  esac
}

# echolab_server_jvm_opts MODEL: what ./echolab serve gives MODEL's server here: its one-core flags
# when it may run on one processor only (nproc counts the CPUs this process may use: 1 under
# `taskset -c 0`); on more, the JVM's own choices stand
echolab_server_jvm_opts() {
  if [ -n "${ECHOLAB_SERVER_JVM_OPTS+set}" ]; then
    echo "$ECHOLAB_SERVER_JVM_OPTS"
  elif [ "$(nproc)" = 1 ]; then
    echolab_one_core_jvm_opts "${1:-}"
  fi
}
