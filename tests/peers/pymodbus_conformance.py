#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Conformance of traction-sim with an independent Modbus client: Debian's python3-pymodbus.

Usage: pymodbus_conformance.py SIM_BINARY SOURCE_DIR inversion|traction tcp|rtu
Reads and writes every documented register of the model through pymodbus, walks the CiA 402
states, checks the illegal-address exception and that fault commands change what the client sees.
Exit 0 when every check passes; 1 with the failed check on stderr otherwise.
"""
import sys
import time

from pymodbus.client import ModbusSerialClient, ModbusTcpClient
from pymodbus.exceptions import ModbusIOException

from peer_support import CheckFailed, Simulator, check, wait_for

UNIT = 1
DISABLED, READY, SWITCHED_ON, ENABLED = 0x40, 0x21, 0x23, 0x27


def read(client, regmap, name):
    spec = regmap.spec(name)
    reader = client.read_holding_registers if spec["table"] == "holding" else client.read_input_registers
    rr = reader(spec["address"], regmap.width(name), slave=UNIT)
    check(not rr.isError(), f"reading {name}: {rr}")
    return regmap.decode(name, rr.registers)


def write(client, regmap, name, value):
    rr = client.write_registers(regmap.spec(name)["address"], regmap.encode(name, value), slave=UNIT)
    check(not rr.isError(), f"writing {name}={value}: {rr}")


def cia402_state(status_word):
    return status_word & 0x4F if status_word & 0x4F in (0x40, 0x08, 0x00) else status_word & 0x6F


def run(binary, source_dir, device, transport):
    with Simulator(binary, device, transport, source_dir) as sim:
        regmap = sim.map
        if transport == "tcp":
            client = ModbusTcpClient("127.0.0.1", port=sim.port, timeout=1)
        else:
            client = ModbusSerialClient(port=sim.client_link, baudrate=19200, parity="N", timeout=1)
        check(client.connect(), "pymodbus could not connect")
        try:
            # Identity and every documented readable signal.
            check(read(client, regmap, "vendor_id") == 0x7AC7, "vendor_id")
            check(read(client, regmap, "product_code") == (1 if device == "inversion" else 2), "product_code")
            check(read(client, regmap, "firmware_version") == 0x0100, "firmware_version")
            for name in regmap.signals:
                read(client, regmap, name)
            check(read(client, regmap, "stop_switch_connected") == 1, "stop switch connected at power-up")

            # Holding registers read back.
            write(client, regmap, "watchdog_timeout", 2000)
            check(read(client, regmap, "watchdog_timeout") == 2000, "watchdog_timeout read back")
            target = 4.0 if device == "inversion" else 40.0
            write(client, regmap, "target", target)
            check(abs(read(client, regmap, "target") - target) < 1e-6, "target read back")

            # The CiA 402 walk, one write at a time with read-back.
            check(cia402_state(int(read(client, regmap, "status_word"))) == DISABLED, "switch_on_disabled")
            for word, expected in ((0x06, READY), (0x07, SWITCHED_ON), (0x0F, ENABLED)):
                write(client, regmap, "control_word", word)
                state = cia402_state(int(read(client, regmap, "status_word")))
                check(state == expected, f"after controlword 0x{word:02X}: state 0x{state:02X}")
            tolerance = 0.05 if device == "inversion" else 4.0
            wait_for(lambda: abs(read(client, regmap, "actual") - target) < tolerance, timeout_s=8,
                     what="actual to reach the target")

            # An address past the map: ILLEGAL DATA ADDRESS (2).
            last = max(s["address"] for s in regmap.signals.values() if s["table"] == "input") + 2
            rr = client.read_input_registers(last, 1, slave=UNIT)
            check(rr.isError() and getattr(rr, "exception_code", None) == 2, f"illegal address: {rr}")

            # Fault commands as a client sees them.
            check(sim.control({"command": "exceptions", "code": 6, "count": 2})["ok"], "exceptions command")
            for _ in range(2):
                rr = client.read_input_registers(regmap.spec("status_word")["address"], 1, slave=UNIT)
                check(rr.isError() and getattr(rr, "exception_code", None) == 6, f"expected SERVER DEVICE BUSY: {rr}")
            read(client, regmap, "status_word")

            sim.control({"command": "press_stop"})
            check(read(client, regmap, "stop_switch") == 1, "stop_switch bit after press_stop")
            check(cia402_state(int(read(client, regmap, "status_word"))) == 0x07, "quick_stop_active")

            sim.control({"command": "comm_loss", "seconds": 1.5})
            rr = client.read_input_registers(regmap.spec("status_word")["address"], 1, slave=UNIT)
            check(isinstance(rr, ModbusIOException) or rr.isError(), f"expected no reply during comm_loss: {rr}")
            if transport == "rtu":
                client.close()
                client.connect()
            wait_for(lambda: not client.read_input_registers(
                regmap.spec("status_word")["address"], 1, slave=UNIT).isError(), timeout_s=5,
                what="replies after comm_loss")
        finally:
            client.close()


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        run(*sys.argv[1:5])
    except CheckFailed as e:
        print(f"pymodbus conformance FAILED ({sys.argv[3]}, {sys.argv[4]}): {e}", file=sys.stderr)
        return 1
    print(f"pymodbus conformance passed ({sys.argv[3]}, {sys.argv[4]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
