# Sourced by ./tillwatch and scripts/test.sh: exports JAVA_HOME of a JDK >= 21.
# Order: $JAVA_HOME, the `java` on PATH, then the newest JDK under /usr/lib/jvm.

tillwatch_java_major() { # $1 = path of a java binary; prints its feature version
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1
}

tillwatch_find_jdk() {
  local candidate major best="" best_major=0
  for candidate in "${JAVA_HOME:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")" /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(tillwatch_java_major "$candidate/bin/java")
    case "$major" in ''|*[!0-9]*) continue ;; esac
    if [ "$major" -ge 21 ]; then
      # the first acceptable one in the order above wins, except that /usr/lib/jvm picks the newest
      if [ "$candidate" = "${JAVA_HOME:-}" ]; then best=$candidate; break; fi
      if [ "$major" -gt "$best_major" ]; then best=$candidate; best_major=$major; fi
    fi
  done
  if [ -z "$best" ]; then
    echo "tillwatch: no JDK 21 or newer found (JAVA_HOME, PATH, /usr/lib/jvm); install one, e.g. apt-get install openjdk-21-jdk-headless" >&2
    return 1
  fi
  export JAVA_HOME=$best
}
