#!/usr/bin/env bash
# Builds the Debian package: the distribution jar, a Java runtime made with jlink from the JDK
# that builds tillwatch, the launcher, the systemd units and the example configuration.
# Usage: scripts/package.sh [output-dir=target/deb]   (TILLWATCH_JAR: an already built jar, with
# its libraries in lib/ beside it)
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
out=$(mkdir -p "${1:-$root/target/deb}" && cd "${1:-$root/target/deb}" && pwd)
. "$root/scripts/jdk.sh"
tillwatch_find_jdk

jar=${TILLWATCH_JAR:-$root/cli/target/tillwatch.jar}
if [ ! -f "$jar" ]; then
  (cd "$root" && ./mvnw -B -q -DskipTests -Dspotless.check.skip=true package -pl cli -am)
fi
version=$(cd "$root" && sed -n 's|^  <version>\(.*\)</version>|\1|p' pom.xml | head -n 1)
version=${version%-SNAPSHOT}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
opt=$stage/opt/tillwatch
mkdir -p "$opt/lib" "$opt/bin" "$stage/usr/bin" "$stage/lib/systemd/system" \
  "$stage/etc/tillwatch" "$stage/usr/share/doc/tillwatch" "$stage/DEBIAN"

# the runtime: the modules the distribution uses (Java SE, the JDK's own HTTP server, unsupported
# for protobuf and snappy, management and JFR), stripped
"$JAVA_HOME/bin/jlink" --output "$opt/runtime" \
  --add-modules java.se,jdk.unsupported,jdk.management,jdk.management.jfr,jdk.jfr,jdk.httpserver,jdk.zipfs,jdk.charsets,jdk.localedata,jdk.crypto.cryptoki,jdk.naming.dns,jdk.net \
  --strip-debug --no-header-files --no-man-pages --compress=zip-6
# the jar and its libraries beside it (its manifest's Class-Path names lib/...)
cp "$jar" "$opt/lib/tillwatch.jar"
cp -r "$(dirname "$jar")/lib" "$opt/lib/lib"

# the launcher: the JVM options of ./tillwatch, on the bundled runtime
opts() { sed -n "s/^$1=\"\\(.*\\)\"\$/\\1/p" "$root/tillwatch"; }
agent_opts=$(opts agent_opts)
cat > "$opt/bin/tillwatch" <<LAUNCHER
#!/bin/sh
# tillwatch as its Debian package installs it: the bundled Java runtime, the distribution jar.
# TILLWATCH_JAVA_OPTS replaces the default JVM options.
case "\${1:-}" in
  agent) opts="$agent_opts" ;;
  collector) opts="-XX:+IgnoreUnrecognizedVMOptions -XX:+UseCompactObjectHeaders" ;;
  *) opts="-XX:+IgnoreUnrecognizedVMOptions -XX:+UseSerialGC -Xss512k -XX:TieredStopAtLevel=1" ;;
esac
exec /opt/tillwatch/runtime/bin/java \${TILLWATCH_JAVA_OPTS:-\$opts --sun-misc-unsafe-memory-access=allow} -jar /opt/tillwatch/lib/tillwatch.jar "\$@"
LAUNCHER
chmod 755 "$opt/bin/tillwatch"
ln -s /opt/tillwatch/bin/tillwatch "$stage/usr/bin/tillwatch"

cp "$root"/packaging/systemd/*.service "$stage/lib/systemd/system/"
cp "$root"/packaging/etc/*.yaml "$stage/etc/tillwatch/"
cp "$root/README.md" "$stage/usr/share/doc/tillwatch/"
cp -r "$root/docs" "$stage/usr/share/doc/tillwatch/docs"
cp "$root"/packaging/deb/{conffiles,postinst,prerm,postrm} "$stage/DEBIAN/"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" "$root/packaging/deb/control" > "$stage/DEBIAN/control"
chmod 755 "$stage/DEBIAN"/{postinst,prerm,postrm}

deb=$out/tillwatch_${version}_amd64.deb
dpkg-deb --root-owner-group -Zgzip -z6 --build "$stage" "$deb" >/dev/null
echo "$deb"
