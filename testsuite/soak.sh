#!/usr/bin/env bash
# Runs the reliability soak (not part of CI) for a while and prints a report every few seconds.
#
#   testsuite/soak.sh [--minutes N | --seconds N] [--lanes N] [--seed N] [--report-seconds N] [--verbose]
#
# Builds the testsuite's test classes and their classpath through ../i2o2 (which finds JDK 25 and Maven,
# nothing is installed), then runs io.i2o2.testsuite.reliability.Soak on the JDK the launcher found.
set -euo pipefail
cd "$(dirname "$0")/.."
./i2o2 mvn -B -q -pl testsuite -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/soak-classpath.txt -Dmdep.includeScope=test
java_home=$(./i2o2 mvn -v | sed -n 's/^Java version: .*runtime: //p')
exec "$java_home/bin/java" --enable-native-access=ALL-UNNAMED -Dio.netty.leakDetection.level=paranoid -Xshare:auto \
  -cp "testsuite/target/test-classes:testsuite/target/classes:$(cat testsuite/target/soak-classpath.txt)" \
  io.i2o2.testsuite.reliability.Soak "$@"
