# Sourced by ./echolab (for `serve`) and scripts/perf-check.sh: the JVM flags of an EchoLab server,
# declared once. ECHOLAB_SERVER_JVM_OPTS replaces them; set it empty for the JVM's own choices.
#   -XX:+UseSerialGC  the collector the JVM picks by itself on one processor, written out so that a
#                     server gets it on any machine: no collector threads to share the core with.
#   -Xmn16m           a young generation of 16 MiB instead of the ~100 MiB sized from the machine's
#                     memory: the garbage of the accepts and requests reuses the same pages, so an
#                     idle connection costs what it holds, not the fresh pages its garbage touched.
# Why and how they were measured: docs/performance.md, "Memory per idle connection".
# shellcheck disable=SC2034  # used by the scripts that source this one
echolab_server_jvm_opts=${ECHOLAB_SERVER_JVM_OPTS-"-XX:+UseSerialGC -Xmn16m"}
