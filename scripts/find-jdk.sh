# Sourced by ./echolab, ./run-tests and .ci/run: exports JAVA_HOME (and PATH) for a JDK >= 25.
# Tries, in order: $JAVA_HOME, `java` on the PATH, then the usual install places.
# Fails with a message that says how to get one when there is none.

echolab_java_feature() { # prints the feature release of the JDK at $1 (e.g. 25), or nothing
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

echolab_find_jdk() {
  local candidates=() c v
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for c in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/*jdk* \
           "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$c" ] && candidates+=("$c")
  done
  for c in "${candidates[@]}"; do
    v=$(echolab_java_feature "$c")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then
      export JAVA_HOME="$c"
      export PATH="$c/bin:$PATH"
      return 0
    fi
  done
  cat >&2 <<'MSG'
echolab: no JDK 25 or newer was found (looked at $JAVA_HOME, `java` on the PATH, /usr/lib/jvm,
/opt, ~/.sdkman and ~/.jdks). EchoLab needs Java 25. Install one, for example:
  - Debian/Ubuntu: the Temurin 25 package from Adoptium's apt repository (temurin-25-jdk), or
  - SDKMAN: sdk install java 25-tem
then run again, or point JAVA_HOME at it: JAVA_HOME=/path/to/jdk-25 ./echolab ...
MSG
  return 1
}
