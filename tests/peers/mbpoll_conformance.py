#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Conformance of traction-sim with an independent Modbus master: Debian's mbpoll.

Usage: mbpoll_conformance.py SIM_BINARY SOURCE_DIR inversion|traction tcp|rtu
Reads every documented register with mbpoll (32-bit values as one big-endian read, as the map
declares), writes the target and the controlword, walks CiA 402 and checks exceptions as mbpoll
reports them. Exit 0 when every check passes; 1 with the failed check on stderr otherwise.
"""
import re
import shutil
import subprocess
import sys

from peer_support import CheckFailed, Simulator, check, wait_for

MBPOLL = shutil.which("mbpoll") or "/usr/bin/mbpoll"


class Mbpoll:
    def __init__(self, sim, transport):
        self.sim = sim
        if transport == "tcp":
            self.link = ["-m", "tcp", "-p", str(sim.port)]
            self.endpoint = "127.0.0.1"
        else:
            self.link = ["-m", "rtu", "-b", "19200", "-P", "none"]
            self.endpoint = sim.client_link

    def run(self, name, values=None, expect_ok=True):
        spec = self.sim.map.spec(name)
        table = "4" if spec["table"] == "holding" else "3"
        data_type = table
        if spec.get("type", "u16") in ("i32", "u32"):
            data_type += ":int"
        args = [MBPOLL, *self.link, "-a", "1", "-0", "-1", "-o", "1", "-t", data_type,
                "-r", str(spec["address"])]
        if spec.get("word_order", "high_first") == "high_first":
            args.append("-B")
        args.append(self.endpoint)
        if values is not None:
            args += ["--", *[str(v) for v in values]]
        result = subprocess.run(args, capture_output=True, text=True, timeout=15)
        if expect_ok:
            check(result.returncode == 0, f"mbpoll {name}: exit {result.returncode}: {result.stderr.strip()}")
        return result

    def read(self, name):
        out = self.run(name).stdout
        match = re.search(r"^\[\d+\]:\s+(-?\d+)", out, re.MULTILINE)
        check(match is not None, f"mbpoll printed no value for {name}: {out}")
        raw = int(match.group(1))
        spec = self.sim.map.spec(name)
        if "bit" in spec:
            return (raw >> spec["bit"]) & 1
        if spec.get("type", "u16") == "u16":
            raw &= 0xFFFF
        return raw * spec.get("scale", 1.0) + spec.get("offset", 0.0)

    def write(self, name, value):
        spec = self.sim.map.spec(name)
        raw = round((value - spec.get("offset", 0.0)) / spec.get("scale", 1.0))
        self.run(name, [raw])


def run(binary, source_dir, device, transport):
    with Simulator(binary, device, transport, source_dir) as sim:
        mb = Mbpoll(sim, transport)
        check(mb.read("vendor_id") == 0x7AC7, "vendor_id")
        check(mb.read("product_code") == (1 if device == "inversion" else 2), "product_code")
        check(mb.read("firmware_version") == 0x0100, "firmware_version")
        for name in sim.map.signals:
            mb.read(name)
        target = -3.5 if device == "inversion" else 25.0  # a negative angle checks the i32 sign
        mb.write("target", target)
        check(abs(mb.read("target") - target) < 1e-6, f"target read back as {mb.read('target')}")
        for word in (0x06, 0x07, 0x0F):
            mb.write("control_word", word)
        check(int(mb.read("status_word")) & 0x6F == 0x27, "operation_enabled after the walk")
        tolerance = 0.05 if device == "inversion" else 4.0
        wait_for(lambda: abs(mb.read("actual") - target) < tolerance, timeout_s=10, what="actual at target")

        # Exceptions as mbpoll reports them.
        sim.control({"command": "exceptions", "code": 6, "count": 1})
        busy = mb.run("status_word", expect_ok=False)
        check(busy.returncode != 0 and "busy" in (busy.stdout + busy.stderr).lower(),
              f"expected SERVER DEVICE BUSY: {busy.stdout} {busy.stderr}")
        spec = dict(sim.map.spec("status_word"))
        last = max(s["address"] for s in sim.map.signals.values() if s["table"] == "input") + 2
        sim.map.signals["past_the_map"] = {**spec, "address": last}
        illegal = mb.run("past_the_map", expect_ok=False)
        check(illegal.returncode != 0 and "illegal data address" in (illegal.stdout + illegal.stderr).lower(),
              f"expected ILLEGAL DATA ADDRESS: {illegal.stdout} {illegal.stderr}")


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        run(*sys.argv[1:5])
    except CheckFailed as e:
        print(f"mbpoll conformance FAILED ({sys.argv[3]}, {sys.argv[4]}): {e}", file=sys.stderr)
        return 1
    print(f"mbpoll conformance passed ({sys.argv[3]}, {sys.argv[4]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
