#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Merges the benchmark parts' JSON into one object, writes it, and prints one table. A part that
exited non-zero, crashed, printed no or partial JSON, or lacks a section it should have is listed
as failed with its reason; the rest still prints.

  report.py --out results.json [--require-parts] DIR NAME...

DIR holds, for each part NAME, NAME.json (its stdout), NAME.err (its stderr), NAME.rc (its exit
status, as the shell gives it: 128+N after signal N, 124 after timeout(1)) and NAME.load (the
1-minute load average when it started). --require-parts: exit 1 when a part failed.
"""
import argparse
import datetime
import json
import os
import platform
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report_rows import get, rows  # noqa: E402

# The sections each part must produce.
SECTIONS = {
    "loop": ["period", "period_fifo", "stop_latency", "watchdog"],
    "driver": ["driver_cycle"],
    "footprint": ["footprint", "socket"],
    "estop": ["estop"],
    "estop_fifo": ["estop_fifo"],
    "engine": ["engine"],
    "web": ["web"],
    "mqtt": ["mqtt"],
}


def read(path, default=""):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return default


def exit_reason(rc_text):
    rc = rc_text.strip()
    if not rc:
        return "did not run (no exit status)"
    if not rc.lstrip("-").isdigit():
        return f"exit status {rc!r}"
    code = int(rc)
    if code == 124:
        return "timed out (scripts/bench's per-part limit)"
    if code > 128:
        return f"killed by signal {code - 128}"
    return f"exit status {code}" if code else None


def last_line(text):
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return lines[-1][:300] if lines else ""


def errors_in(node, path=""):
    """(path, message) of every {"error": ...} a part reported in place of figures."""
    if isinstance(node, dict):
        if "error" in node and node["error"] is not None:
            yield path or "result", str(node["error"])[:200]
        for key, value in node.items():
            yield from errors_in(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from errors_in(value, f"{path}[{i}]")


def load_part(directory, name):
    """(figures dict, failure reason or None)."""
    base = os.path.join(directory, name)
    stdout, stderr = read(base + ".json"), read(base + ".err")
    reasons = []
    why = exit_reason(read(base + ".rc"))
    if why:
        reasons.append(why)
    figures = {}
    try:
        parsed = json.loads(stdout) if stdout.strip() else None
        if isinstance(parsed, dict):
            figures = parsed
        else:
            reasons.append("no JSON object on stdout")
    except json.JSONDecodeError as e:
        reasons.append(f"partial JSON on stdout ({e.msg}: line {e.lineno}, column {e.colno})")
    missing = [s for s in SECTIONS.get(name, []) if s not in figures]
    if missing and figures:
        reasons.append("partial result: no " + ", ".join(missing))
    reasons += [f"{path}: {error}" for path, error in errors_in(figures)]
    if reasons and last_line(stderr):
        reasons.append("stderr: " + last_line(stderr))
    return figures, ("; ".join(reasons) or None)


def host():
    model = ""
    for line in read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {"cpus": os.cpu_count(), "cpu_model": model, "kernel": platform.release(),
            "load_1min": round(os.getloadavg()[0], 2)}


def print_table(table):
    head = ("measure", "result", "goal", "")
    widths = [max(len(r[i]) for r in [head] + table) for i in range(4)]
    for r in [head] + table:
        print("| " + " | ".join(f"{r[i]:<{widths[i]}}" for i in range(4)) + " |")
        if r is head:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--require-parts", action="store_true")
    parser.add_argument("dir")
    parser.add_argument("parts", nargs="+")
    args = parser.parse_args()
    results = {"measured_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "host": host(), "parts": {}}
    for name in args.parts:
        figures, failure = load_part(args.dir, name)
        results.update({k: v for k, v in figures.items() if k not in ("host", "parts", "measured_utc")})
        load = read(os.path.join(args.dir, name + ".load")).strip()
        results["parts"][name] = {"ok": failure is None, "reason": failure,
                                  "load_1min_at_start": float(load) if load.replace(".", "", 1).isdigit() else None}
    table = [(f"part {name}", f"failed: {get(p, 'reason', default='?')}", "", "FAIL")
             for name, p in results["parts"].items() if not p["ok"]]
    table += list(rows(results))
    results["table"] = [dict(zip(("measure", "result", "goal", "verdict"), r)) for r in table]
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    print_table(table)
    failed = [n for n, p in results["parts"].items() if not p["ok"]]
    loads = ", ".join(f"{n} {p['load_1min_at_start']}" for n, p in results["parts"].items())
    print(f"1-minute load when each part started: {loads}")
    h = results["host"]
    print(f"\n(JSON: {args.out}; {h['cpus']} × {h['cpu_model'] or 'unknown CPU'}, 1-minute load "
          f"{h['load_1min']:.2f} at the end; parts failed: {', '.join(failed) or 'none'})")
    return 1 if failed and args.require_parts else 0


if __name__ == "__main__":
    sys.exit(main())
