#!/usr/bin/env python3
# Copyright The perf-event-open for Java authors.
# SPDX-License-Identifier: Apache-2.0
"""Prints the Java-vs-C table, the critical(false) experiment and the downcall overhead from JMH JSON results.

usage: report.py round-1.json [round-2.json ...]

Each file is one JMH run (-rf json) over the suite: a "round". run.sh runs several rounds, one fork per benchmark
each, so that a Java benchmark and its C baseline are always measured minutes apart at most, never a whole suite
apart; on a shared, noisy machine the speed of system calls drifts by 2x over minutes.

  ns/op    all measurement iterations of all rounds pooled: their mean ± the half-width of its 99.9% confidence
           interval (Student's t), which is how JMH computes "Score" and "Error" for one run.
  p50      the median iteration of the pool.
  Java/C   per round, JMH's score of the Java benchmark / JMH's score of the C baseline of that round; shown as the
           median of the rounds [lowest .. highest]. The pooled ratio (ratio of pooled means ± first-order error) is
           printed next to it.
  B/op     gc.alloc.rate.norm (-prof gc), pooled the same way.
"""
import json
import math
import statistics
import sys

PACKAGE = "io.github.perfevent.benchmarks."
RAW = PACKAGE + "RawLayerBenchmark."
SAFE = PACKAGE + "SafeLayerBenchmark."
EXPERIMENT = PACKAGE + "CriticalExperimentBenchmark."
OVERHEAD = PACKAGE + "DowncallOverheadBenchmark."
DECODE = PACKAGE + "RecordDecodingBenchmark."
OPERATIONS = [
    # Java benchmark, its C baseline, what one op is, Java/C target (None: no target)
    (RAW + "read_java", RAW + "read_c", "Syscalls.read, 8 bytes", 1.05),
    (RAW + "enableDisable_java", RAW + "enableDisable_c", "Syscalls.enable + Syscalls.disable", 1.05),
    (RAW + "openClose_java", RAW + "openClose_c", "Syscalls.perfEventOpen + Syscalls.close", None),
    (SAFE + "rawRead8_java", SAFE + "read8_c", "Syscalls.read of a Counter's fd, 8 bytes (value)", 1.05),
    (SAFE + "counterRead8_java", SAFE + "read8_c", "Counter.read(), 8 bytes, same fd", 1.02),
    (SAFE + "counterReadReading8_java", SAFE + "read8_c", "Counter.read(Reading), 8 bytes, same fd", 1.02),
    (SAFE + "rawRead24_java", SAFE + "read24_c", "Syscalls.read, 24 bytes (value + times)", 1.05),
    (SAFE + "counterRead_java", SAFE + "read24_c", "Counter.read(), 24 bytes, same fd", 1.02),
    (SAFE + "counterReadReading_java", SAFE + "read24_c", "Counter.read(Reading), 24 bytes, same fd", 1.02),
    # one op = one record; the target is Java throughput >= 0.9 x C, i.e. Java/C time <= 1.11
    (DECODE + "cursor_java", DECODE + "cursor_c", "RecordCursor walk + sample fields, per record", 1.11),
    (DECODE + "toRecord_java", DECODE + "cursor_c", "RecordCursor.toRecord(), per record", None),
]
# Below 1 B/op nothing is allocated per operation (the smallest Java object is 16 bytes): what remains is JMH's own
# per-iteration allocation divided by the millions of operations of an iteration.
ZERO_ALLOCATION = 1.0


# ---- Student's t quantile, without scipy (regularized incomplete beta by continued fraction, then bisection) ----

def _betacf(a, b, x):
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _betainc(a, b, x):
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(1.0 - x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_quantile(p, df):
    """The p-quantile (p > 0.5) of Student's t with df degrees of freedom."""
    def upper_tail(t):
        return 0.5 * _betainc(df / 2.0, 0.5, df / (df + t * t))
    lo, hi = 0.0, 1e4
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if upper_tail(mid) > 1.0 - p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2.0


# ---- statistics over pooled iterations ----

def stats(values):
    n = len(values)
    mean = statistics.fmean(values)
    error = t_quantile(0.9995, n - 1) * statistics.stdev(values) / math.sqrt(n) if n > 1 else float("nan")
    return {"score": mean, "error": error, "p50": statistics.median(values), "n": n}


def secondary(entry, name):
    for key, value in entry.get("secondaryMetrics", {}).items():
        if key.lstrip("\u00b7") == name:  # JMH before 1.36 prefixed secondary metrics with a middle dot
            return value
    return None


class Results:
    def __init__(self, paths):
        self.rounds = []
        for path in paths:
            with open(path) as f:
                self.rounds.append({e["benchmark"]: e for e in json.load(f)})
        self.names = sorted({name for r in self.rounds for name in r})
        self.first = next((e for r in self.rounds for e in r.values()), None)

    def pooled(self, name, metric=None):
        values = []
        for r in self.rounds:
            entry = r.get(name)
            if entry is None:
                continue
            m = entry["primaryMetric"] if metric is None else secondary(entry, metric)
            if m is None:
                return None
            values += [v for fork in m["rawData"] for v in fork]
        return stats(values) if values else None

    def paired(self, a, b):
        """Per round: JMH score of a / JMH score of b, for the rounds that have both."""
        return [r[a]["primaryMetric"]["score"] / r[b]["primaryMetric"]["score"]
                for r in self.rounds if a in r and b in r]


def fmt(m, digits=1):
    return "n/a" if m is None else f"{m['score']:.{digits}f} ± {m['error']:.{digits}f}"


def fmt_bytes(m):
    return "n/a (no -prof gc)" if m is None else f"{m['score']:.3f} ± {m['error']:.3f}"


def fmt_paired(ratios):
    if not ratios:
        return "n/a"
    return f"{statistics.median(ratios):.3f} [{min(ratios):.3f} .. {max(ratios):.3f}]"


def fmt_pooled_ratio(a, b):
    r = a["score"] / b["score"]
    err = r * math.sqrt((a["error"] / a["score"]) ** 2 + (b["error"] / b["score"]) ** 2)
    return f"{r:.3f} ± {err:.3f}"


def table(header, rows):
    widths = [max(len(str(row[i])) for row in [header] + rows) for i in range(len(header))]
    line = "  ".join("{:<%d}" % w for w in widths)
    print(line.format(*header))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line.format(*row))
    print()


def main(paths):
    res = Results(paths)
    if res.first is None:
        sys.exit("report.py: no results in " + " ".join(paths))
    f = res.first
    print(f"JDK {f.get('jdkVersion')} ({f.get('vmName')} {f.get('vmVersion')}); {len(res.rounds)} round(s) x "
          f"{f.get('forks')} fork(s) per benchmark; warmup {f.get('warmupIterations')} x {f.get('warmupTime')}, "
          f"measurement {f.get('measurementIterations')} x {f.get('measurementTime')}")
    print("ns/op and B/op: mean ± 99.9% CI half-width over every measured iteration; p50: median iteration;")
    print("Java/C: median of the per-round ratios of JMH scores [lowest .. highest round]")
    print()

    rows, problems = [], []
    for java_name, c_name, what, target in OPERATIONS:
        op = java_name[len(PACKAGE):].replace("Benchmark.", ".").removesuffix("_java")
        java, c = res.pooled(java_name), res.pooled(c_name)
        if java is None or c is None:
            continue
        ratios = res.paired(java_name, c_name)
        alloc = res.pooled(java_name, "gc.alloc.rate.norm")
        median = statistics.median(ratios)
        if target is None:
            verdict = "(no target)"
        elif max(ratios) <= target:
            verdict = f"met in every round (≤ {target})"
        elif median <= target:
            verdict = f"met by the median (≤ {target})"
        else:
            verdict = f"MISSED (> {target})"
            problems.append(f"{op}: Java/C median {median:.3f} > {target}")
        if alloc is None:
            alloc_verdict = "?"
            problems.append(f"{op}: allocation not measured (run with -prof gc)")
        elif alloc["score"] < ZERO_ALLOCATION:
            alloc_verdict = "0 B/op"
        else:
            alloc_verdict = "ALLOCATES"
            problems.append(f"{op}: Java allocates {alloc['score']:.1f} B/op")
        rows.append([op, what, fmt(java), f"{java['p50']:.1f}", fmt(c), f"{c['p50']:.1f}", fmt_paired(ratios),
                     fmt_pooled_ratio(java, c), verdict, fmt_bytes(alloc), alloc_verdict])
    if rows:
        print("JAVA vs C: ns per operation. C = one FFM call that runs the operation 1000 times "
              "(@OperationsPerInvocation(1000))")
        table(["benchmark", "one op", "Java ns/op", "Java p50", "C ns/op", "C p50", "Java/C per round",
               "Java/C pooled", "ratio target", "Java B/op", "alloc target"], rows)

    rows = []
    for name in res.names:
        if not name.startswith(EXPERIMENT):
            continue
        short = name[len(EXPERIMENT):]
        op = short.split("_", 1)[0]
        control = EXPERIMENT + op + "_syscalls"
        m = res.pooled(name)
        vs_control = "(control)" if name == control else fmt_paired(res.paired(name, control))
        vs_c = fmt_paired(res.paired(name, RAW + op + "_c"))
        rows.append([short, fmt(m), f"{m['p50']:.1f}", vs_control, vs_c, fmt_bytes(res.pooled(name, "gc.alloc.rate.norm"))])
    if rows:
        print("EXPERIMENT (not in the library): Linker.Option.critical(false) + captureCallState(\"errno\") on "
              "read/ioctl, next to Syscalls (<op>_syscalls, same run); ratios per round as above")
        table(["variant", "ns/op", "p50", "vs <op>_syscalls", "vs C (<op>_c)", "B/op"], rows)

    rows = []
    reference = res.pooled(OVERHEAD + "nop_plain")
    for name in res.names:
        if not name.startswith(OVERHEAD):
            continue
        m = res.pooled(name)
        delta = "n/a" if reference is None else f"{m['score'] - reference['score']:+.2f}"
        rows.append([name[len(OVERHEAD):], fmt(m, 2), f"{m['p50']:.2f}", delta,
                     fmt_bytes(res.pooled(name, "gc.alloc.rate.norm"))])
    if rows:
        print("DOWNCALL OVERHEAD (diagnostic): one Java call of c_nop, a C function with read's signature that "
              "returns at once; nop_errno is Syscalls' exact shape")
        table(["variant", "ns/call", "p50", "vs nop_plain", "B/op"], rows)

    if problems:
        print("Targets missed or not measured: " + "; ".join(problems))
    elif any(n.startswith(RAW) or n.startswith(SAFE) for n in res.names):
        print("Targets: every Java/C ratio with a target meets it (median of rounds), and no Java path allocates.")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
