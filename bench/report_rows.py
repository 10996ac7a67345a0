# SPDX-License-Identifier: Apache-2.0
"""The rows of the bench table, one function per section of the merged results. Every field access
is tolerant (get()): a missing or null figure prints as n/a and a goal it decides as MISSED, so a
partial result never stops the table. Each row is (measure, result, goal, verdict)."""


def get(d, *path, default=None):
    """d[path[0]][path[1]]... or default when any step is missing or not a mapping/list."""
    for key in path:
        if isinstance(d, dict) and key in d:
            d = d[key]
        elif isinstance(d, list) and isinstance(key, int) and -len(d) <= key < len(d):
            d = d[key]
        else:
            return default
    return default if d is None else d


def num(x):
    return x if isinstance(x, (int, float)) and not isinstance(x, bool) else None


def fmt(x, unit=""):
    if num(x) is None:
        return "n/a"
    if isinstance(x, float):
        x = f"{x:.3f}".rstrip("0").rstrip(".")
        x = "0" if x == "-0" else x
    return f"{x}{unit}"


def signed(x, unit=""):
    text = fmt(x, unit)
    return text if text == "n/a" or text.startswith("-") else "+" + text


def verdict(ok):
    return "" if ok is None else ("pass" if ok else "FAIL")


def at_most(x, limit):
    """Goal check: True/False, or False when the figure is missing (a missing figure never passes)."""
    return num(x) is not None and num(limit) is not None and x <= limit


def ratio(a, b):
    return round(a / b, 2) if num(a) is not None and num(b) not in (None, 0) else None


def latency(summary):
    return (f"p50 {fmt(get(summary, 'p50'))} / p99 {fmt(get(summary, 'p99'))} / max "
            f"{fmt(get(summary, 'max'))} ms")


def error_row(measure, section):
    """A row for a section that reports an error instead of figures; None when it has none."""
    err = get(section, "error")
    return None if err is None else (measure, f"failed: {err}", "", "FAIL")


def period_rows(r):
    for p in get(r, "period", default=[]):
        name = f"loop {fmt(get(p, 'rate_hz'))} Hz, normal scheduling (32 subs @20 Hz + status.get flood)"
        yield error_row(name, p) or period_row(name, p, None)
    fifo = get(r, "period_fifo")
    if fifo is not None:
        name = (f"loop 100 Hz, SCHED_FIFO {fmt(get(fifo, 'realtime_priority', 'obtained'))} "
                "(same load)")
        yield error_row(name, fifo) or period_row(name, fifo, fifo)


def period_row(name, p, goal):
    j = get(p, "jitter_ms", default={})
    result = (f"{fmt(get(p, 'achieved_hz'))} Hz achieved; jitter {latency(j)}; "
              f"overruns {fmt(get(p, 'overruns'))}")
    if goal is None:
        return (name, result, "", "")
    limit = get(goal, "target_jitter_p99_ms")
    return (name, result, f"jitter p99 ≤ {fmt(limit)} ms", verdict(get(goal, "meets_target", default=False)))


def stop_rows(r):
    s = get(r, "stop_latency")
    if s is None:
        return
    name = f"stop switch → first release command ({fmt(get(s, 'presses'))} presses, 100 Hz)"
    yield error_row(name, s) or (
        name, f"{latency(get(s, 'latency_ms'))}; missed {fmt(get(s, 'missed'))}",
        f"p99 ≤ {fmt(get(s, 'target_p99_ms'))} ms", verdict(get(s, "meets_target", default=False)))
    w = get(r, "watchdog")
    if w is None:
        return
    name = f"SIGKILL → drive watchdog safe reaction ({fmt(get(w, 'kills'))} kills)"
    yield error_row(name, w) or (
        name, f"p50 {fmt(get(w, 'kill_to_trip_ms', 'p50'))} / max {fmt(get(w, 'kill_to_trip_ms', 'max'))} ms",
        f"≤ {fmt(get(w, 'target_ms'))} ms", verdict(get(w, "meets_target", default=False)))


def driver_rows(r):
    d = get(r, "driver_cycle")
    if d is None:
        return
    name = f"one control cycle vs bare libmodbus ({get(d, 'transport', default='?')}, in process)"
    yield error_row(name, d) or (
        name, f"{fmt(get(d, 'driver_us'))} µs vs {fmt(get(d, 'bare_libmodbus_us'))} µs: ratio {fmt(get(d, 'ratio'))}",
        f"≤ {fmt(get(d, 'target_ratio'))}×", verdict(get(d, "meets_target", default=False)))


def footprint_rows(r):
    f = get(r, "footprint")
    if f is None:
        return
    bad = error_row("footprint, session at 100 Hz", f)
    if bad:
        yield bad
        return
    dm, bare, py = get(f, "daemon", default={}), get(f, "bare_loop", default={}), get(f, "pymodbus_loop", default={})
    cpu_goal = get(f, "target", "cpu_ratio_to_bare")
    yield ("CPU share of one core, session at 100 Hz",
           f"{fmt(get(dm, 'cpu_percent'))} % vs bare libmodbus loop {fmt(get(bare, 'cpu_percent'))} % "
           f"(ratio {fmt(get(f, 'ratio_to_bare', 'cpu'))}) and pymodbus loop {fmt(get(py, 'cpu_percent'))} % "
           f"(ratio {fmt(get(f, 'ratio', 'cpu'))})",
           f"≤ {fmt(cpu_goal)}× bare", verdict(at_most(get(f, "ratio_to_bare", "cpu"), cpu_goal)))
    threads = [fmt(t) for t in get(f, "daemon_threads_cpu_percent", default=[]) if num(t)]
    if threads:
        yield ("the daemon's CPU share by thread, largest first", " / ".join(threads) + " %", "", "")
    rss_goal = get(f, "target", "rss_mib")
    yield ("resident memory (peak), session at 100 Hz",
           f"{fmt(get(dm, 'rss_mib'))} MiB (peak {fmt(get(dm, 'peak_rss_mib'))}) vs bare loop "
           f"{fmt(get(bare, 'rss_mib'))} MiB (ratio {fmt(get(f, 'ratio_to_bare', 'rss'))}) and pymodbus loop "
           f"{fmt(get(py, 'rss_mib'))} MiB (ratio {fmt(get(f, 'ratio', 'rss'))}); daemon's own "
           f"(RssAnon) {fmt(get(dm, 'rss_anon_mib'))} MiB, mapped files {fmt(get(dm, 'rss_file_mib'))} MiB",
           f"≤ {fmt(rss_goal)} MiB", verdict(at_most(get(dm, "peak_rss_mib"), rss_goal)))


def socket_rows(r):
    s = get(r, "socket")
    if s is None:
        return
    bad = error_row("control socket", s)
    if bad:
        yield bad
        return
    a, b = get(s, "status_get", default={}), get(s, "status_get_with_subscribers", default={})
    yield ("status.get, one client back to back",
           f"{fmt(get(a, 'per_s'))}/s; {latency(get(a, 'latency_ms'))}", "", "")
    yield (f"status.get with {fmt(get(s, 'subscribers'))} subscribers @{fmt(get(s, 'subscriber_hz'))} Hz",
           f"{fmt(get(b, 'per_s'))}/s; {latency(get(b, 'latency_ms'))}", "", "")
    yield ("each extra subscriber @20 Hz",
           f"{signed(get(s, 'per_subscriber', 'cpu_percent'))} % CPU, "
           f"{signed(get(s, 'per_subscriber', 'status_get_p99_ms'))} ms status.get p99", "", "")


def engine_rows(r):
    for e in get(r, "engine", default=[]):
        name = f"engine, {fmt(get(e, 'planned_seconds'))} s program in process ({get(e, 'kind', default='?')})"
        goal = 10000
        yield error_row(name, e) or (
            name, f"{fmt(get(e, 'times_real_time'))}× real time ({fmt(get(e, 'wall_seconds'))} s wall; "
                  f"{fmt(get(e, 'times_real_time_per_cpu_second'))}× per CPU second, "
                  f"outcome {get(e, 'outcome', default='n/a')})",
            f"≥ {goal}× real time",
            verdict(num(get(e, "times_real_time")) is not None and get(e, "times_real_time") >= goal
                    and get(e, "outcome") == "completed"))


def estop_rows(r):
    for part, scheduling in (("estop", "normal scheduling"), ("estop_fifo", "SCHED_FIFO")):
        for key, what in (("during_activation", "during drive activation"),
                          ("validate_flood", "under a flood of the largest program.validate")):
            row = estop_row(get(r, part, key), f"{what}, {scheduling}", key)
            if row is not None:
                yield row


def estop_row(s, what, key):
    if s is None:
        return None
    name = f"estop → first quick-stop/release command, {what} ({fmt(get(s, 'trials'))} trials)"
    return error_row(name, s) or (
        name, f"{latency(get(s, 'latency_ms'))}; missed {fmt(get(s, 'missed'))}"
              + (f"; {fmt(get(s, 'validate_replies_per_s'))} validate replies/s"
                 if key == "validate_flood" else ""),
        f"p99 ≤ {fmt(get(s, 'target_p99_ms'))} ms", verdict(get(s, "meets_target", default=False)))


def web_rows(r):
    w = get(r, "web")
    if w is None:
        return
    stop = get(w, "stop_latency", default={})
    bad = error_row("bedside panel STOP", stop)
    if bad:
        yield bad
    else:
        for key, what in (("stop", "panel STOP"), ("direct", "device.estop on the socket"),
                          ("stop_loaded", "panel STOP while a page pulls history")):
            s = get(stop, key, default={})
            yield (error_row(f"{what} → target turns back on the wire", s) or
                   (f"{what} → target turns back on the wire ({fmt(get(s, 'presses'))} presses)",
                    f"{latency(get(s, 'release_ms'))}; missed {fmt(get(s, 'missed'))}", "", ""))
    panel = get(w, "panel", default={})
    yield error_row("tractiond-web footprint", panel) or (
        f"tractiond-web, {fmt(get(panel, 'pages'))} pages @20 Hz during a session",
        f"{fmt(get(panel, 'rss_mib'))} MiB (peak {fmt(get(panel, 'peak_rss_mib'))}), "
        f"{fmt(get(panel, 'cpu_percent'))} % CPU", "", "")


def outcome(o):
    text = get(o, "session_outcome", default="n/a")
    return text if text == "completed" else f"{text} ({get(o, 'session_reason', default='no reason')})"


def mqtt_rows(r):
    m = get(r, "mqtt")
    if m is None:
        return
    bad = error_row("MQTT bridge", m)
    if bad:
        yield bad
        return
    name = (f"daemon event → mosquitto_sub on tractiond/ID/event "
            f"({fmt(get(m, 'event_latency_ms', 'count'))} events)")
    yield (name, f"{latency(get(m, 'event_latency_ms'))}; missing {fmt(get(m, 'events_missing'))}",
           f"p99 ≤ {fmt(get(m, 'target_p99_ms'))} ms", verdict(get(m, "meets_target", default=False)))
    o = get(m, "outage", default={})
    down = get(o, "overruns_broker_down_and_back")
    yield (f"control overruns, broker killed for {fmt(get(o, 'outage_seconds'))} s during a session "
           f"({fmt(get(o, 'window_seconds'))} s from the kill)",
           f"{fmt(down)} (same window, broker up: {fmt(get(o, 'overruns_broker_up'))}); state at the "
           f"kill {get(o, 'state_at_kill', default='n/a')}; session {outcome(o)}",
           "0, session completed",
           verdict(num(down) == 0 and get(o, "session_outcome") == "completed"))
    yield ("broker restarted → next state message at mosquitto_sub",
           fmt(get(o, "restart_to_state_ms"), " ms"), "", "")


SECTIONS = (period_rows, stop_rows, estop_rows, driver_rows, footprint_rows, socket_rows,
            engine_rows, web_rows, mqtt_rows)


def rows(results):
    """Every row of every section; a section that raises (a bug here) becomes one failed row."""
    for section in SECTIONS:
        try:
            yield from (row for row in section(results) if row is not None)
        except Exception as e:  # noqa: BLE001 -- the table must always print
            yield (section.__name__, f"report error: {type(e).__name__}: {e}", "", "FAIL")
