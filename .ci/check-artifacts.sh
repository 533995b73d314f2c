#!/usr/bin/env bash
# CI: proves the library can be published as it is. Deploys every module to a throwaway file repository
# (tests skipped: ./i2o2 test runs them next) and checks what landed: for each library module a jar that
# is a named module (its module-info: the name, the API packages exported and nothing else, what it
# requires), LICENSE and fixed entry times, a sources jar, a javadoc jar without the generated bindings or
# the demo, a -tests jar with test support only, and a pom; the parent pom and the BOM with the Central
# metadata (licence, url, scm, developers); and nothing from the testsuite or the benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."

repo=$(mktemp -d "${TMPDIR:-/tmp}/i2o2-deploy.XXXXXX")
trap 'rm -rf "$repo"' EXIT
started=$SECONDS
# The javadoc plugin's "everything is up to date" looks only at the source directory's own mtime, so an
# edited doc comment would go unchecked (doclint too) on a reused checkout: always regenerate.
rm -f ./*/target/maven-javadoc-plugin-stale-data.txt
./i2o2 mvn -B -q -ntp -Dstyle.color=never -DskipTests -DaltDeploymentRepository="local::file://$repo" deploy

fails=0
fail() { echo "check-artifacts: FAIL: $*" >&2; fails=$((fails + 1)); }
jar="$(./i2o2 jdk)/bin/jar"
version=$(sed -n 's:^  <version>\(.*\)</version>.*:\1:p' pom.xml | head -1)
base=$repo/io/i2o2

# exactly these artifacts, nothing else
deployed=$(cd "$base" && ls | sort | tr '\n' ' ')
[ "$deployed" = "i2o2-bom i2o2-parent transport-iouring-file transport-iouring-native " ] \
  || fail "deployed artifacts are '$deployed', expected the BOM, the parent and the two library modules only"

file_of() {  # artifact classifier|"" ext: the one deployed file
  local a=$1 c=$2 e=$3 f
  f=$(ls "$base/$a/$version/" 2>/dev/null | grep -E "^$a-.*${c:+-$c}\.$e\$" | grep -v -E '\.(md5|sha1)$' \
      | { [ -z "$c" ] && grep -v -E -- '-(sources|javadoc|tests)\.jar$' || cat; } | head -1)
  [ -n "$f" ] && echo "$base/$a/$version/$f"
}

for pom in i2o2-parent i2o2-bom; do
  p=$(file_of $pom "" pom) || { fail "$pom: no pom"; continue; }
  for tag in '<licenses>' 'Apache License, Version 2.0' '<url>' '<scm>' '<developers>' '<description>'; do
    grep -q "$tag" "$p" || fail "$pom pom lacks $tag"
  done
done
if bom=$(file_of i2o2-bom "" pom); then
  grep -q '<parent>' "$bom" && fail "the BOM has a parent: importing it would pin our Netty/JUnit versions too"
  for a in transport-iouring-native transport-iouring-file; do
    grep -q "<artifactId>$a</artifactId>" "$bom" || fail "the BOM does not manage $a"
  done
  grep -q "<version>$version</version>" "$bom" || fail "the BOM's version is not the parent's ($version)"
  [ -z "$(ls "$base/i2o2-bom/$version" | grep '\.jar$')" ] || fail "the BOM deployed a jar"
fi

check_module() {  # artifact module-name public-packages...
  local a=$1 name=$2 j s d p t desc; shift 2
  j=$(file_of "$a" "" jar) || { fail "$a: no jar"; return; }
  s=$(file_of "$a" sources jar) || fail "$a: no sources jar"
  d=$(file_of "$a" javadoc jar) || fail "$a: no javadoc jar"
  p=$(file_of "$a" "" pom) || fail "$a: no pom"
  # A named module (module-info.class), not an automatic one; it exports exactly the API packages, to
  # everyone (a qualified export would show as "exports X to Y").
  desc=$("$jar" --describe-module --file="$j" 2>&1) || true
  head -1 <<<"$desc" | grep -q "^$name@.*module-info.class\$" \
    || fail "$a: jar is not the named module $name: $(head -1 <<<"$desc")"
  [ "$(grep '^exports ' <<<"$desc" | sort | tr '\n' ' ')" = "$(printf 'exports %s\n' "$@" | sort | tr '\n' ' ')" ] \
    || fail "$a: module $name exports '$(grep '^exports ' <<<"$desc" | tr '\n' ' ')', expected exactly $*"
  echo "$desc" > "$repo/.desc-$a"
  # The -tests jar: the test support the other modules' tests share (Maven resolves it from the reactor only
  # as an attached artifact, so it is published with the library; README, Packaging). Test code only, and
  # never a module that could stand in for the library's.
  if t=$(file_of "$a" tests jar); then
    "$jar" tf "$t" | grep -qx module-info.class && fail "$a: the -tests jar carries a module-info.class"
    "$jar" tf "$t" | grep -q -E '^io/i2o2/(uring/Ring\.class|uring/gen/|file/IoUringFileIo\.class)' \
      && fail "$a: the -tests jar carries main classes"
    "$jar" tf "$j" | grep -q -E '(Test|Condition|LeakDetection)\.class$' && fail "$a: the jar carries test classes"
  else
    fail "$a: no -tests jar (the README says one is published)"
  fi
  "$jar" tf "$j" | grep -qx META-INF/LICENSE || fail "$a: jar lacks META-INF/LICENSE"
  [ "$(TZ=UTC "$jar" tvf "$j" | awk '{print $2, $3, $4, $5, $6, $7}' | sort -u | wc -l)" = 1 ] \
    || fail "$a: jar entries carry different times (project.build.outputTimestamp not applied)"
  grep -q '<description>' "$p" || fail "$a: pom lacks a description"
  local pkg dir
  for pkg in "$@"; do
    dir=${pkg//.//}
    # javadoc in module mode: each package under its module's directory
    [ -n "$d" ] && { "$jar" tf "$d" | grep -qx "$name/$dir/package-summary.html" || fail "$a: javadoc lacks $pkg"; }
    [ -n "$s" ] && { "$jar" tf "$s" | grep -qx "$dir/package-info.java" || fail "$a: sources lack $dir/package-info.java"; }
  done
  if [ -n "$d" ]; then
    "$jar" tf "$d" | grep -q index.html || fail "$a: javadoc jar has no index.html"
    ! "$jar" tf "$d" | grep -q -E '(^|/)io/i2o2/uring/(gen|demo)/' || fail "$a: javadoc shows the generated bindings or the demo"
  fi
}
check_module transport-iouring-native io.i2o2.uring io.i2o2.uring
check_module transport-iouring-file io.i2o2.file io.i2o2.file io.i2o2.file.nvme
# What a module that requires io.i2o2.file reads through it: the ring and the Netty modules its API shows,
# transitively; Netty's io_uring classes and netty-handler only where the application has them (static).
if [ -f "$repo/.desc-transport-iouring-file" ]; then
  for r in 'io.i2o2.uring transitive' 'io.netty.common transitive' 'io.netty.buffer transitive' \
           'io.netty.transport transitive' 'io.netty.transport.classes.io_uring static' 'io.netty.handler static'; do
    grep -qx "requires $r" "$repo/.desc-transport-iouring-file" || fail "module io.i2o2.file lacks 'requires $r'"
  done
fi
grep -q '^requires io.netty' "$repo/.desc-transport-iouring-native" 2>/dev/null \
  && fail "module io.i2o2.uring requires Netty (it must need the JDK only)"

# A Netty user's project, built with the README's dependency snippet against what was deployed (and, for
# everything else, the Maven repository this build used, read as a remote one so nothing is written to it),
# which runs with the README's JVM flag and must see io_uring.
consumer=$repo/.consumer
mkdir -p "$consumer/src/main/java/consumer"
snippet=$(awk '/^```xml$/{f=1;next} /^```$/{if(f){exit}} f' README.md)
grep -q "<artifactId>i2o2-bom</artifactId>" <<<"$snippet" && grep -q "<version>$version</version>" <<<"$snippet" \
  || fail "README's dependency snippet does not import i2o2-bom $version"
m2=${I2O2_MAVEN_REPO:-$HOME/.m2/repository}   # where this build resolved everything
cat > "$consumer/settings.xml" <<XML
<settings><profiles><profile><id>p</id><repositories>
  <repository><id>deployed</id><url>file://$repo</url><snapshots><enabled>true</enabled></snapshots></repository>
  <repository><id>build-m2</id><url>file://$m2</url><snapshots><enabled>true</enabled></snapshots></repository>
</repositories><pluginRepositories>
  <pluginRepository><id>build-m2-plugins</id><url>file://$m2</url></pluginRepository>
</pluginRepositories></profile></profiles><activeProfiles><activeProfile>p</activeProfile></activeProfiles></settings>
XML
cat > "$consumer/pom.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>consumer</groupId><artifactId>consumer</artifactId><version>1</version>
  <properties><maven.compiler.release>25</maven.compiler.release><project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>
$snippet
  <build><plugins>
    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>3.14.0</version></plugin>
    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId><version>3.8.1</version></plugin>
  </plugins></build>
</project>
XML
cat > "$consumer/src/main/java/consumer/Main.java" <<'JAVA'
package consumer;

import io.i2o2.file.IoUring;
import io.i2o2.file.IoUringFileEventLoopGroup;

public class Main {
    public static void main(String[] args) throws Exception {
        IoUring.ensureAvailability();
        IoUringFileEventLoopGroup files = new IoUringFileEventLoopGroup(1);
        System.out.println("consumer: io_uring available, " + files.executorCount() + " loop");
        files.shutdownGracefully().sync();
    }
}
JAVA
if (./i2o2 mvn -B -q -ntp -s "$consumer/settings.xml" -f "$consumer/pom.xml" -Dmaven.repo.local="$consumer/m2" \
      compile dependency:build-classpath -Dmdep.outputFile="$consumer/cp.txt" -Dmdep.includeScope=runtime >"$consumer/build.log" 2>&1); then
  out=$("$(./i2o2 jdk)/bin/java" --enable-native-access=ALL-UNNAMED \
        -cp "$consumer/target/classes:$(cat "$consumer/cp.txt")" consumer.Main 2>&1) || true
  grep -q 'consumer: io_uring available' <<<"$out" || fail "a consumer built from the README snippet does not run: $out"
  tr ':' '\n' < "$consumer/cp.txt" | grep -q 'transport-iouring-native-' || fail "the consumer did not get transport-iouring-native"
else
  cat "$consumer/build.log" >&2
  fail "a consumer project with the README's dependency snippet does not build against the deployed artifacts"
fi

if [ "$fails" -gt 0 ]; then
  echo "check-artifacts: $fails problem(s) in what would be published" >&2
  exit 1
fi
echo "check-artifacts: OK in $((SECONDS - started)) s: $(find "$base" -name '*.jar' -o -name '*.pom' | grep -c .) jars and poms for $deployed"
