#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The MQTT bridge against real processes: traction-sim, tractiond, tractiond-mqtt, a mosquitto of
its own on a free port and mosquitto_sub as the independent subscriber. Prints one JSON object.

1. event latency: during a quick-check session, pause/resume cycles make the daemon emit events;
   for each event, the time from this script's own status.subscribe connection receiving it to
   mosquitto_sub receiving it on tractiond/ID/event (both stamped with the same wall clock).
2. broker outage: mosquitto is killed (SIGKILL) during the session and restarted on the same port
   after a few seconds; the daemon's control overruns before and after, the session's outcome, and
   the time from the restart to the next state message at a fresh mosquitto_sub.

  mqtt_bench.py BUILD_DIR [--quick] [--events N] [--outage SECONDS]
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEVICE = "bench"
TARGET_P99_MS = 50.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, seconds, step=0.02):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(step)
    return check()


def accepts(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def summary(values):
    """p50/p99/max (ms) and the count of a list of latencies in ms."""
    if not values:
        return {"count": 0, "p50": None, "p99": None, "max": None}
    v = sorted(values)
    pick = lambda q: round(v[min(len(v) - 1, int(q * len(v)))], 3)  # noqa: E731
    return {"count": len(v), "p50": pick(0.5), "p99": pick(0.99), "max": round(v[-1], 3)}


class Daemon:
    """A JSON-RPC connection to the daemon's socket (one object a line). A reader thread keeps the
    replies by id and stamps each event notification with the wall clock when it arrived."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
        self.next_id, self.replies, self.events = 0, {}, []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        buffer = b""
        while True:
            data = self.sock.recv(65536)
            if not data:
                return
            stamp = time.time()
            buffer += data
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                message = json.loads(line)
                with self.cond:
                    if message.get("method") == "event":
                        self.events.append((stamp, message["params"]))
                    elif "id" in message:
                        self.replies[message["id"]] = message
                    self.cond.notify_all()

    def call(self, method, params=None, timeout=5):
        with self.cond:
            self.next_id += 1
            request_id = self.next_id
        self.sock.sendall((json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method,
                                       "params": params or {}}) + "\n").encode())
        with self.cond:
            self.cond.wait_for(lambda: request_id in self.replies, timeout)
            return self.replies.pop(request_id, {"error": {"message": "no reply"}})

    def status(self):
        return self.call("status.get").get("result", {})

    def wait_event(self, match, after, timeout=10):
        with self.cond:
            return self.cond.wait_for(
                lambda: any(match(e) for _, e in self.events[after:]), timeout)


class Subscriber:
    """mosquitto_sub on tractiond/ID/#: (receive time, topic, payload) of each message."""

    def __init__(self, port, log):
        self.messages, self.lock = [], threading.Lock()
        self.process = subprocess.Popen(
            ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-q", "1",
             "-t", f"tractiond/{DEVICE}/#", "-F", "%U %t %p"],
            stdout=subprocess.PIPE, stderr=log, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            parts = line.rstrip("\n").split(" ", 2)
            if len(parts) == 3:
                with self.lock:
                    self.messages.append((float(parts[0]), parts[1], parts[2]))

    def on(self, topic):
        with self.lock:
            return [m for m in self.messages if m[1] == f"tractiond/{DEVICE}/{topic}"]

    def stop(self):
        self.process.terminate()
        self.process.wait()


class Rig:
    def __init__(self, build, work):
        self.build, self.work, self.processes = build, work, []
        self.broker_port = free_port()
        self.log = open(os.path.join(work, "processes.log"), "w")
        self.sim = self.spawn("simulator/traction-sim", "--device", "inversion", "--listen",
                              "127.0.0.1:0", "--port-file", f"{work}/sim.port", "--control",
                              f"{work}/sim.sock")
        port = wait_until(lambda: read(f"{work}/sim.port").strip(), 10)
        if not port:
            raise RuntimeError("traction-sim wrote no port")
        self.daemon = self.spawn("daemon/tractiond", "--config",
                                 f"{ROOT}/config/examples/sim-inversion.json", "--device-uri",
                                 f"tcp://127.0.0.1:{port}?unit=1", "--socket", f"{work}/d.sock",
                                 "--state-dir", f"{work}/state")
        self.broker = None
        self.start_broker()
        with open(f"{work}/mqtt.json", "w") as f:
            json.dump({"live_rate_hz": 2}, f)
        self.bridge = self.spawn("mqtt/tractiond-mqtt", "--socket", f"{work}/d.sock", "--broker",
                                 f"mqtt://127.0.0.1:{self.broker_port}", "--device-id", DEVICE,
                                 "--config", f"{work}/mqtt.json")

    def spawn(self, program, *args, path=None):
        p = subprocess.Popen([path or os.path.join(self.build, program), *args],
                             stdout=self.log, stderr=self.log)
        self.processes.append(p)
        return p

    def start_broker(self):
        with open(f"{self.work}/mosquitto.conf", "w") as f:
            f.write(f"listener {self.broker_port} 127.0.0.1\nallow_anonymous true\n"
                    "persistence false\nuser root\n")
        self.broker = self.spawn(None, "-c", f"{self.work}/mosquitto.conf",
                                 path=shutil.which("mosquitto") or "/usr/sbin/mosquitto")
        if not wait_until(lambda: accepts(self.broker_port), 10):
            raise RuntimeError("mosquitto does not accept connections")

    def kill_broker(self):
        self.broker.send_signal(signal.SIGKILL)
        self.broker.wait()

    def close(self):
        for p in reversed(self.processes):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def connect(work):
    def attempt():
        try:
            d = Daemon(f"{work}/d.sock")
        except OSError:
            return None
        return d if d.status().get("state") == "idle" else d.sock.close()
    d = wait_until(attempt, 20, 0.1)
    if not d:
        raise RuntimeError("the daemon did not become idle")
    return d


def overruns(d):
    return d.status().get("loop", {}).get("overruns")


def state_is(to):
    return lambda e: e["kind"] == "state_changed" and e["detail"].get("to") == to


def measure(build, work, events, outage):
    rig = Rig(build, work)
    try:
        d = connect(work)
        sub = Subscriber(rig.broker_port, rig.log)
        if not wait_until(lambda: any(p == "online" for _, _, p in sub.on("availability")), 15):
            raise RuntimeError("the bridge did not come online")
        d.call("status.subscribe", {"rate_hz": 1, "events": True})
        started = d.call("session.start", {"program": "quick-check"})
        if "result" not in started:
            raise RuntimeError(f"session.start: {started}")
        session_id = started["result"].get("session_id") or started["result"].get("id")
        d.wait_event(state_is("running"), 0)
        # 1. Pause/resume cycles until `events` events came on the daemon's socket.
        deadline = time.monotonic() + 60
        while len(d.events) < events:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {len(d.events)} events in 60 s of pause/resume")
            for method, to in (("session.pause", "paused"), ("session.resume", "running")):
                mark = len(d.events)
                d.call(method)
                d.wait_event(state_is(to), mark, 5)
        latency = []
        wait_until(lambda: len(sub.on("event")) >= len(d.events), 5)
        seen = {}
        for stamp, _, payload in sub.on("event"):
            seen.setdefault(json.loads(payload).get("seq"), stamp)
        for stamp, e in d.events:
            if e["seq"] in seen:
                latency.append((seen[e["seq"]] - stamp) * 1000)
        result = {"event_latency_ms": summary(latency), "events_sent": len(d.events),
                  "events_missing": len(d.events) - len(latency), "target_p99_ms": TARGET_P99_MS}
        result["meets_target"] = (result["events_missing"] == 0
                                  and summary(latency)["p99"] is not None
                                  and summary(latency)["p99"] <= TARGET_P99_MS)

        # 2. Overruns in a window of `window` seconds with the broker up (what the machine alone
        # costs), then in one as long from killing the broker (down `outage` seconds, then back).
        window = outage + 2.0
        first = overruns(d)
        time.sleep(window)
        before = overruns(d)
        state_at_kill = d.status().get("state")
        sub.stop()
        killed = time.monotonic()
        rig.kill_broker()
        time.sleep(outage)
        rig.start_broker()
        restarted = time.time()
        after = Subscriber(rig.broker_port, rig.log)
        time.sleep(max(0.0, window - (time.monotonic() - killed)))
        after_overruns = overruns(d)
        state = wait_until(lambda: [m for m in after.on("state") if m[0] >= restarted], 40)
        end = {}

        def ended():
            end.update(d.status().get("last_session") or {})
            return end.get("id") == session_id or None
        wait_until(ended, 40, 0.2)
        after.stop()
        added = lambda a, b: b - a if None not in (a, b) else None  # noqa: E731
        result["outage"] = {
            "outage_seconds": outage, "window_seconds": window,
            "overruns_broker_up": added(first, before),
            "overruns_broker_down_and_back": added(before, after_overruns),
            "state_at_kill": state_at_kill,
            "session_outcome": end.get("outcome"), "session_reason": end.get("reason"),
            "restart_to_state_ms": round((state[0][0] - restarted) * 1000, 1) if state else None}
        return result
    finally:
        rig.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--events", type=int)
    parser.add_argument("--outage", type=float)
    args = parser.parse_args()
    events = args.events or (10 if args.quick else 60)
    outage = args.outage or (1.5 if args.quick else 3.0)
    work = tempfile.mkdtemp(prefix="mqtt-bench.")
    try:
        mqtt = measure(os.path.abspath(args.build), work, events, outage)
    except Exception as e:  # noqa: BLE001 -- reported as the part's error
        mqtt = {"error": f"{type(e).__name__}: {e}"}
        sys.stderr.write(read(f"{work}/processes.log")[-3000:])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"mqtt": mqtt}, indent=2))


if __name__ == "__main__":
    main()
