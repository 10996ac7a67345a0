# SPDX-License-Identifier: Apache-2.0
"""Shared helpers for the third-party peer conformance checks (pymodbus, mbpoll).

Starts a real traction-sim process on temporary paths (TCP on an ephemeral port, RTU through a
socat pty pair), reads register addresses from the shared map (config/devices/sim-*.json) and
waits on conditions with deadlines, never bare sleeps.
"""
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time


class CheckFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


def wait_for(predicate, timeout_s=5.0, what="condition"):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.01)
    raise CheckFailed(f"timed out after {timeout_s} s waiting for {what}")


class RegisterMap:
    """The shared register map, read from the same JSON file as the driver and the simulator."""

    def __init__(self, path):
        with open(path) as f:
            self.signals = json.load(f)["registers"]

    def spec(self, name):
        return self.signals[name]

    def width(self, name):
        return 2 if self.spec(name).get("type", "u16") in ("u32", "i32", "f32") else 1

    def decode(self, name, words):
        s = self.spec(name)
        kind = s.get("type", "u16")
        if "bit" in s:
            return (words[0] >> s["bit"]) & 1
        if kind in ("i32", "u32"):
            high_first = s.get("word_order", "high_first") == "high_first"
            raw = (words[0] << 16 | words[1]) if high_first else (words[1] << 16 | words[0])
            if kind == "i32" and raw >= 1 << 31:
                raw -= 1 << 32
        elif kind == "i16":
            raw = struct.unpack(">h", struct.pack(">H", words[0]))[0]
        else:
            raw = words[0]
        return raw * s.get("scale", 1.0) + s.get("offset", 0.0)

    def encode(self, name, value):
        s = self.spec(name)
        raw = round((value - s.get("offset", 0.0)) / s.get("scale", 1.0))
        if s.get("type", "u16") in ("i32", "u32"):
            raw &= 0xFFFFFFFF
            return [raw >> 16, raw & 0xFFFF]
        return [raw & 0xFFFF]


class Simulator:
    """A traction-sim process (and a socat pty pair for RTU), stopped on exit."""

    def __init__(self, binary, device, transport, source_dir):
        self.dir = tempfile.mkdtemp(prefix="traction-peer-")
        self.device = device
        self.transport = transport
        self.map = RegisterMap(os.path.join(source_dir, "config", "devices", f"sim-{device}.json"))
        self.control_path = os.path.join(self.dir, "control.sock")
        self.socat = None
        port_file = os.path.join(self.dir, "port")
        args = [binary, "--device", device, "--listen", "127.0.0.1:0", "--port-file", port_file,
                "--control", self.control_path]
        if transport == "rtu":
            self.device_link = os.path.join(self.dir, "sim-side")
            self.client_link = os.path.join(self.dir, "client-side")
            socat = shutil.which("socat")
            check(socat is not None, "socat is not installed")
            self.socat = subprocess.Popen(
                [socat, f"pty,rawer,echo=0,link={self.device_link}",
                 f"pty,rawer,echo=0,link={self.client_link}"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_for(lambda: os.path.exists(self.device_link) and os.path.exists(self.client_link),
                     what="socat pty links")
            args += ["--rtu", self.device_link, "--baud", "19200", "--parity", "N", "--unit", "1"]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL)
        wait_for(lambda: os.path.exists(port_file), what="traction-sim port file")
        with open(port_file) as f:
            self.port = int(f.read())

    def control(self, command):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            s.connect(self.control_path)
            s.sendall((json.dumps(command) + "\n").encode())
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(4096)
                check(chunk, "control socket closed without a reply")
                data += chunk
        return json.loads(data)

    def close(self):
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=10)
        if self.socat is not None:
            self.socat.terminate()
            self.socat.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)
        check(code == 0, f"traction-sim exited with {code} on SIGTERM")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
