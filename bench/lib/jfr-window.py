#!/usr/bin/env python3
"""What a server's flight recording says about one measuring window (bench/fan-out --record).

    jfr-window.py RECORDING.jfr WINDOW_START_ISO SECONDS [SLOWEST]

SLOWEST: the generator's slowest messages, "<latency ms> ms at <s into the window> s; ..." as it
prints them; for each, what the recording saw from its scheduled send to its last delivery.

Prints, for the events that started inside the window: each fan-out's time on the event loop
(Parley: parley.FanOut, queueing the frame on every socket, plus parley.Flush, handing them to the
kernel; the naive broadcaster: bench.NaiveFanOut) as percentiles; garbage collections and
safepoints (count, longest, total); JIT compilations (count, total, longest); thread parks of the
event loops; the event loops' allocation rate (jdk.ObjectAllocationSample weights); and one JSON
line {"jfrWindow": ...} for the results file.
"""
import collections
import datetime
import json
import re
import subprocess
import sys

EVENTS = ("parley.FanOut,parley.Flush,bench.NaiveFanOut,jdk.GarbageCollection,jdk.SafepointBegin,"
          "jdk.Compilation,jdk.Deoptimization,jdk.ThreadPark,jdk.ObjectAllocationSample,jdk.ExecutionSample")


def seconds(iso_duration):
    # PT0.036507626S, PT1M2.5S
    m = re.fullmatch(r"PT(?:(\d+)M)?(?:([\d.]+)S)?", iso_duration or "PT0S")
    return (int(m.group(1) or 0) * 60 + float(m.group(2) or 0)) if m else 0.0


def instant(iso):
    iso = iso.rstrip("Z")
    whole, _, frac = iso.partition(".")
    t = datetime.datetime.fromisoformat(whole).replace(tzinfo=datetime.timezone.utc).timestamp()
    return t + (float("0." + frac) if frac else 0.0)


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[max(0, min(len(xs), -(-len(xs) * p // 100)) - 1)]


def histogram(xs):
    """(label, count) for the buckets of a fan-out's duration in ms."""
    edges = [0, 2, 4, 6, 8, 10, 12, 15, 20, 30]
    for low, high in zip(edges, edges[1:] + [None]):
        label = f"<{high}" if low == 0 else (f"{low}+" if high is None else f"{low}-{high}")
        yield label, sum(1 for x in xs if x >= low and (high is None or x < high))


def main():
    path, start_iso, length = sys.argv[1], sys.argv[2], float(sys.argv[3])
    start = instant(start_iso)
    end = start + length
    out = subprocess.run(["jfr", "print", "--json", "--events", EVENTS, path], capture_output=True, text=True, check=True)
    events = json.loads(out.stdout)["recording"]["events"]
    by = {}
    timeline = []
    for e in events:
        v = e["values"]
        t = instant(v["startTime"])
        if start - 1 <= t < end + 1:
            timeline.append((t, t + seconds(v.get("duration")), e["type"], v))
        if start <= t < end:
            by.setdefault(e["type"], []).append(v)
    ms = lambda vs: [seconds(v.get("duration")) * 1e3 for v in vs]
    summary = {}
    fan, flush, naive = by.get("parley.FanOut", []), by.get("parley.Flush", []), by.get("bench.NaiveFanOut", [])
    total = []
    if fan or naive:
        if naive:
            total = ms(naive)
            parts = ""
        else:
            q, f = ms(fan), ms(flush)
            parts = (f"; queueing p50 {pct(q, 50):.2f} p99 {pct(q, 99):.2f} ms, flushing p50 {pct(f, 50):.2f} "
                     f"p99 {pct(f, 99):.2f} ms")
            summary["queueP50Ms"], summary["flushP50Ms"] = round(pct(q, 50), 2), round(pct(f, 50), 2)
            if len(q) != len(f):
                # a burst (several messages queued before one flush) has no per-message sum: only the parts
                print(f"  {len(q)} fan-outs and {len(f)} flushes in the window{parts}")
                q = []
            # a fan-out and the flush that follows it, paired in order (one message at a time)
            total = [a + b for a, b in zip(q, f)]
    if total:
        print(f"  each fan-out on the event loop ({len(total)} in the window): p50 {pct(total, 50):.2f}  "
              f"p90 {pct(total, 90):.2f}  p99 {pct(total, 99):.2f}  max {max(total):.2f} ms{parts}")
        print("    histogram (ms): " + ", ".join(f"{label}: {n}" for label, n in histogram(total) if n))
        summary.update(fanOutP50Ms=round(pct(total, 50), 2), fanOutP99Ms=round(pct(total, 99), 2), fanOutMaxMs=round(max(total), 2))
    gc = ms(by.get("jdk.GarbageCollection", []))
    sp = ms(by.get("jdk.SafepointBegin", []))
    comp = ms(by.get("jdk.Compilation", []))
    loops = lambda vs: [v for v in vs if "eventloop" in (v.get("eventThread") or {}).get("javaName", "")]
    parks = ms(loops(by.get("jdk.ThreadPark", [])))
    alloc = sum(v.get("weight", 0) for v in loops(by.get("jdk.ObjectAllocationSample", [])))
    line = lambda xs: (f"{len(xs)}, longest {max(xs):.1f} ms, {sum(xs):.1f} ms in all" if xs else "none")
    print(f"  GC pauses: {line(gc)}; safepoints: {line(sp)}")
    print(f"  JIT compilations: {line(comp)}; event-loop parks over the recording's threshold: {len(parks)}")
    print(f"  event loops' allocation: {alloc / length / 1e6:.2f} MB/s (sampled)")
    method = lambda v: (lambda m: f"{m['type']['name'].rsplit('/', 1)[-1]}.{m['name']}" if m else "?")(v.get("method"))
    slowest = sorted(by.get("jdk.Compilation", []), key=lambda v: -seconds(v.get("duration")))[:3]
    if slowest:
        print("  longest compilations: " + "; ".join(
            f"{method(v)} (tier {v.get('compileLevel')}, {seconds(v.get('duration')) * 1e3:.0f} ms)" for v in slowest))
    deopts = by.get("jdk.Deoptimization", [])
    if deopts:
        reasons = collections.Counter(f"{method(v)}: {v.get('reason')}" for v in deopts)
        print(f"  deoptimizations: {len(deopts)}; " + "; ".join(f"{k} ×{n}" for k, n in reasons.most_common(4)))
    summary.update(gcPauses=len(gc), gcPauseMaxMs=round(max(gc), 1) if gc else 0, safepoints=len(sp),
                   safepointMaxMs=round(max(sp), 1) if sp else 0, compilations=len(comp),
                   compilationMs=round(sum(comp), 1),
                   deoptimizations=len(deopts), allocationMBps=round(alloc / length / 1e6, 2))
    if len(sys.argv) > 4:
        slow_messages(sys.argv[4], start, timeline, method)
    print(json.dumps({"jfrWindow": summary}))


def slow_messages(slowest, start, timeline, method):
    """For each slow message: the node's events that overlap its time in flight."""
    for latency, at in re.findall(r"([\d.]+) ms at ([\d.]+) s", slowest)[:5]:
        t0 = start + float(at)
        t1 = t0 + float(latency) / 1e3
        seen, samples = [], collections.Counter()
        for a, b, kind, v in timeline:
            if b < t0 or a > t1:
                continue
            thread = (v.get("eventThread") or v.get("sampledThread") or {}).get("javaName") or ""
            if kind == "jdk.ExecutionSample":
                frames = ((v.get("stackTrace") or {}).get("frames") or [{}])
                top = method(frames[0]) if frames and frames[0] else "?"
                samples[f"{thread}: {top}"] += 1
            elif kind in ("parley.FanOut", "parley.Flush", "bench.NaiveFanOut"):
                seen.append(f"{kind.split('.')[-1]} +{(a - t0) * 1e3:.1f} ms for {(b - a) * 1e3:.1f} ms")
            else:
                what = method(v) if v.get("method") else ""
                seen.append(f"{kind.split('.')[-1]} {what} +{(a - t0) * 1e3:.1f} ms for {(b - a) * 1e3:.1f} ms".replace("  ", " "))
        top = samples.most_common(4)
        print(f"  slow message at {at} s ({latency} ms): " + "; ".join(seen[:8])
              + ("; samples: " + ", ".join(f"{k} ×{n}" for k, n in top) if top else ""))


if __name__ == "__main__":
    main()
