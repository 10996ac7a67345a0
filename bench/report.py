#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Merges the benchmark programs' JSON objects into one, writes it, and prints one table.

  report.py --out results.json loop.json driver.json footprint.json engine.json
"""
import argparse
import datetime
import json
import os
import platform
import sys


def fmt(x, unit=""):
    if x is None:
        return "n/a"
    if isinstance(x, float):
        x = f"{x:.3f}".rstrip("0").rstrip(".")
    return f"{x}{unit}"


def verdict(ok):
    return "" if ok is None else ("ok" if ok else "MISSED")


def rows(r):
    for p in r.get("period", []):
        j = p.get("jitter_ms", {})
        yield (f"loop {fmt(p['rate_hz'])} Hz (32 subs @20 Hz + status.get flood)",
               f"{fmt(p.get('achieved_hz'))} Hz achieved; jitter p50 {fmt(j.get('p50'))} / p99 {fmt(j.get('p99'))}"
               f" / max {fmt(j.get('max'))} ms; overruns {fmt(p.get('overruns'))}", "", "")
    s = r.get("stop_latency")
    if s:
        l = s["latency_ms"]
        yield (f"stop switch → first release command ({s['presses']} presses, {fmt(s['rate_hz'])} Hz)",
               f"p50 {fmt(l['p50'])} / p99 {fmt(l['p99'])} / max {fmt(l['max'])} ms; missed {s['missed']}",
               f"p99 ≤ {fmt(s['target_p99_ms'])} ms", verdict(s.get("meets_target")))
    w = r.get("watchdog")
    if w:
        k = w["kill_to_trip_ms"]
        yield (f"SIGKILL → drive watchdog safe reaction ({w['kills']} kills)",
               f"p50 {fmt(k['p50'])} / max {fmt(k['max'])} ms (from last request: max "
               f"{fmt(w['last_request_to_trip_ms']['max'])} ms)",
               f"≤ {fmt(w['target_ms'])} ms", verdict(w.get("meets_target")))
    d = r.get("driver_cycle")
    if d:
        yield (f"control cycle vs bare libmodbus ({d['transport']})",
               f"{fmt(d['driver_us'])} µs vs {fmt(d['bare_libmodbus_us'])} µs: ratio {fmt(d['ratio'])}",
               f"≤ {fmt(d['target_ratio'])}", verdict(d.get("meets_target")))
    f = r.get("footprint")
    if f and "daemon" in f:
        dm, py, ra = f["daemon"], f["pymodbus_loop"], f["ratio"]
        ok_rss = dm["peak_rss_mib"] <= f["target"]["rss_mib"]
        ok_cpu = dm["cpu_percent"] <= f["target"]["cpu_percent"]
        yield ("resident memory, session at 100 Hz",
               f"{fmt(dm['rss_mib'])} MiB (peak {fmt(dm['peak_rss_mib'])}) vs pymodbus loop {fmt(py['rss_mib'])} MiB:"
               f" ratio {fmt(ra['rss'])}", f"≤ {f['target']['rss_mib']} MiB", verdict(ok_rss))
        yield ("CPU share of one core, session at 100 Hz",
               f"{fmt(dm['cpu_percent'])} % vs pymodbus loop {fmt(py['cpu_percent'])} %: ratio {fmt(ra['cpu'])}",
               f"≤ {f['target']['cpu_percent']} %", verdict(ok_cpu))
    s = r.get("socket")
    if s and "status_get" in s:
        a, b, per = s["status_get"], s["status_get_with_subscribers"], s["per_subscriber"]
        yield ("status.get, one client",
               f"{fmt(a['per_s'])}/s; p50 {fmt(a['latency_ms']['p50'])} / p99 {fmt(a['latency_ms']['p99'])} ms", "", "")
        yield (f"status.get with {s['subscribers']} subscribers @{s['subscriber_hz']} Hz",
               f"{fmt(b['per_s'])}/s; p99 {fmt(b['latency_ms']['p99'])} ms", "", "")
        yield ("each extra subscriber @20 Hz",
               f"+{fmt(per['cpu_percent'])} % CPU, +{fmt(per['status_get_p99_ms'])} ms status.get p99", "", "")
    for e in r.get("engine", []):
        yield (f"engine, {fmt(e.get('planned_seconds'))} s program in process ({e.get('kind')})",
               f"{fmt(e.get('times_real_time'))}× real time ({fmt(e.get('wall_seconds'))} s wall, "
               f"outcome {e.get('outcome')})", "", "")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("parts", nargs="+")
    args = parser.parse_args()
    results = {"measured_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "host": {"cpus": os.cpu_count(), "kernel": platform.release(),
                        "load_1min": os.getloadavg()[0]}}
    for part in args.parts:
        with open(part) as f:
            results.update(json.load(f))
    with open(args.out, "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    table = list(rows(results))
    widths = [max(len(r[i]) for r in table + [("measure", "result", "target", "")]) for i in range(3)]
    head = ("measure", "result", "target", "")
    for r in [head] + table:
        print(f"| {r[0]:<{widths[0]}} | {r[1]:<{widths[1]}} | {r[2]:<{widths[2]}} | {r[3]:<6} |")
        if r is head:
            print(f"|{'-' * (widths[0] + 2)}|{'-' * (widths[1] + 2)}|{'-' * (widths[2] + 2)}|--------|")
    print(f"\n(JSON: {args.out}; host load {results['host']['load_1min']:.2f}, {results['host']['cpus']} CPUs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
