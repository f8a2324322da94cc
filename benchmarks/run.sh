#!/usr/bin/env bash
# Builds the library (installed into ~/.m2) and the benchmarks, runs the JMH suite in rounds and prints the
# Java/C table, the critical(false) experiment and the downcall overhead. About 11 minutes with the defaults.
#
#   benchmarks/run.sh                          # everything
#   benchmarks/run.sh 'RawLayerBenchmark.read' # only benchmarks matching a JMH regex (arguments go to JMH)
#   ROUNDS=6 ITERATIONS=10 benchmarks/run.sh
#   BASELINE_JAR=/path/to/old/benchmarks.jar ROUNDS=8 benchmarks/run.sh SafeLayerBenchmark
#                                              # before/after: each round runs the old jar, then the new one
#
# Why rounds: the suite takes minutes, and on a shared machine the cost of a system call drifts by 2x over
# minutes. JMH runs all forks of one benchmark before the next, so with `-f 4` a Java benchmark and its C baseline
# would be measured up to minutes apart. Instead the suite runs ROUNDS times with FORKS_PER_ROUND fork(s) per
# benchmark (ROUNDS x FORKS_PER_ROUND forks in total, at least 3), and each round's Java/C ratio compares
# measurements taken seconds apart; report.py prints the median of the rounds and their range.
#
# Results: benchmarks/target/jmh-round-<n>.json (JMH's JSON, one per round) and benchmarks/target/report.txt.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")

ROUNDS=${ROUNDS:-4}
FORKS_PER_ROUND=${FORKS_PER_ROUND:-1}
WARMUP_ITERATIONS=${WARMUP_ITERATIONS:-3}
WARMUP_TIME=${WARMUP_TIME:-1s}
ITERATIONS=${ITERATIONS:-6}
ITERATION_TIME=${ITERATION_TIME:-1s}
if [ $((ROUNDS * FORKS_PER_ROUND)) -lt 3 ]; then
    echo "run.sh: ROUNDS x FORKS_PER_ROUND must be at least 3 forks per benchmark" >&2
    exit 1
fi

is_jdk22plus() {
    [ -x "$1/bin/javac" ] && "$1/bin/java" -version 2>&1 | grep -qE 'version "(2[2-9]|[3-9][0-9])'
}
if [ -z "${JAVA_HOME:-}" ] || ! is_jdk22plus "$JAVA_HOME"; then
    JAVA_HOME=
    for candidate in $(ls -d /usr/lib/jvm/*/ /opt/*jdk*/ 2>/dev/null | sed 's:/$::' | sort -rV); do
        if is_jdk22plus "$candidate"; then JAVA_HOME=$candidate; break; fi
    done
fi
if [ -z "$JAVA_HOME" ]; then
    echo "run.sh: no JDK 22 or newer in JAVA_HOME, /usr/lib/jvm or /opt (e.g. export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64)" >&2
    exit 1
fi
export JAVA_HOME
for tool in mvn gcc python3; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool is needed" >&2; exit 1; }
done
# Maven and JMH call sun.misc.Unsafe, which JDK 24+ warns about; silence that where the flag exists (JMH's forks
# inherit the flag from the JVM that runs JMH).
host_jvm_args=()
if "$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow -version >/dev/null 2>&1; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
    host_jvm_args+=(--sun-misc-unsafe-memory-access=allow)
fi
# Maven 3.8 prints colour resets even in batch mode; drop them (pipefail keeps Maven's exit status).
plain() { sed 's/\x1b\[[0-9;]*m//g'; }
echo "run.sh: JAVA_HOME=$JAVA_HOME ($("$JAVA_HOME/bin/java" -version 2>&1 | head -1))"

# 1. The library, into the local repository. maven.test.skip (rather than skipTests): the benchmarks need the
#    library jar only, so the tests are neither compiled nor run.
echo "run.sh: installing io.github.perfevent:perf-event-open from $root"
(cd "$root" && mvn -q -B -Dmaven.test.skip=true install) 2>&1 | plain

# 2. The benchmarks jar, with the C baseline (gcc -O2, src/main/c) inside.
echo "run.sh: building $here/target/benchmarks.jar"
(cd "$here" && mvn -q -B package) 2>&1 | plain

# 3. The suite, ROUNDS times. --enable-native-access=ALL-UNNAMED comes from @Fork(jvmArgsAppend); -foe true makes
#    a failing benchmark fail the run (JMH exits 0 otherwise); -prof gc adds
#    gc.alloc.rate.norm (bytes allocated per operation).
#    With BASELINE_JAR (a benchmarks.jar built from an older commit), each round runs it first, so that before and
#    after are measured minutes apart at most.
rm -f "$here"/target/jmh-round-*.json "$here"/target/jmh-baseline-round-*.json
if [ -n "${BASELINE_JAR:-}" ] && [ ! -f "$BASELINE_JAR" ]; then
    echo "run.sh: BASELINE_JAR=$BASELINE_JAR is not a file" >&2
    exit 1
fi
run_jmh() { # jar result-file JMH-arguments...
    local jar=$1 result=$2
    shift 2
    "$JAVA_HOME/bin/java" "${host_jvm_args[@]}" -jar "$jar" \
        -f "$FORKS_PER_ROUND" -wi "$WARMUP_ITERATIONS" -w "$WARMUP_TIME" -i "$ITERATIONS" -r "$ITERATION_TIME" \
        -foe true -prof gc -rf json -rff "$result" "$@"
}
results=()
baseline_results=()
for round in $(seq 1 "$ROUNDS"); do
    echo "run.sh: round $round of $ROUNDS: $FORKS_PER_ROUND fork(s), warmup $WARMUP_ITERATIONS x $WARMUP_TIME," \
        "measurement $ITERATIONS x $ITERATION_TIME"
    if [ -n "${BASELINE_JAR:-}" ]; then
        run_jmh "$BASELINE_JAR" "$here/target/jmh-baseline-round-$round.json" "$@"
        baseline_results+=("$here/target/jmh-baseline-round-$round.json")
    fi
    run_jmh "$here/target/benchmarks.jar" "$here/target/jmh-round-$round.json" "$@"
    results+=("$here/target/jmh-round-$round.json")
done

# 4. The tables.
echo
{
    if [ -n "${BASELINE_JAR:-}" ]; then
        echo "BEFORE ($BASELINE_JAR)"
        python3 "$here/report.py" "${baseline_results[@]}"
        echo
        echo "AFTER (this checkout)"
    fi
    python3 "$here/report.py" "${results[@]}"
} | tee "$here/target/report.txt"
