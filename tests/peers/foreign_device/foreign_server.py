#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""An independent Modbus TCP drive for tests, written with Debian's python3-pymodbus (3.0.0rc1).

Usage: foreign_server.py --port 0 --port-file FILE [--serial /dev/pts/N --baud 19200 --parity N]
The port file receives the TCP port once the server accepts (and the serial line is open).

It proves the register map is data: its layout shares nothing with traction-sim (other addresses,
32-bit values low word first, other scales, flags in discrete inputs) and is described only by
foreign.json beside this file. Run it with /usr/bin/python3.

Unit 1 is the drive: a CiA 402 state machine, a communication-loss watchdog, an axis that moves
toward its target at a bounded rate, and a patient stop switch.

Unit 247 is the test bench's fault injector (libmodbus' test server habit), holding registers:
  0 mode: 0 none, 1 reply "busy" (0x06), 2 reply "illegal data address" (0x02),
          3 reply late by `delay_ms`, 4 never reply, 5 drop the connection
  1 count of drive requests the mode applies to (65535: until changed)
  2 delay_ms for mode 3
  3 stop switch connected (1 after start)
  4 stop switch pressed
  5 watchdog register broken: 1 = writes to it are ignored, it reads 0
  6 requests served to unit 1 (read-only counter, wraps at 65536)
  7 status word and 8 fault code, mirrored so a test can watch the drive without talking to unit 1
"""
import argparse
import asyncio
import logging
import os
import struct
import sys
import time

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server.async_io import (ModbusConnectedRequestHandler, ModbusSerialServer,
                                      ModbusSingleRequestHandler, ModbusTcpServer)
from pymodbus.transaction import ModbusRtuFramer, ModbusSocketFramer

DRIVE_UNIT = 1
BENCH_UNIT = 247

# The layout (0-based protocol addresses), mirrored by foreign.json.
HR_TARGET = 100          # i32, low word first, 0.01 deg
HR_CONTROL_WORD = 110
HR_HEARTBEAT = 111
HR_WATCHDOG = 120        # u16, 10 ms per count
IR_STATUS_WORD = 200
IR_FAULT_CODE = 201
IR_ACTUAL = 202          # f32, low word first, deg
IR_VELOCITY = 204        # i16, 0.1 deg/s
IR_FORCE = 205           # u32, low word first, 0.1 N
IR_VENDOR = 300
IR_PRODUCT = 301
IR_FIRMWARE = 302        # u32, low word first
DI_STOP_PRESSED = 10
DI_STOP_CONNECTED = 11
DI_END_LOW = 12
DI_END_HIGH = 13

MIN_ANGLE_DEG, MAX_ANGLE_DEG, RATE_DEG_S = -20.0, 60.0, 15.0
TICK_S = 0.005
FAULT_WATCHDOG = 0x8130
FAULT_STOP_UNPLUGGED = 0x5441

# CiA 402 status words (bits 0-6), with bit 9 "remote" set as real drives do.
SW = {"not_ready": 0x00, "disabled": 0x40, "ready": 0x21, "switched_on": 0x23, "enabled": 0x27,
      "quick_stop": 0x07, "fault": 0x08}
REMOTE = 0x0200


class Block(ModbusSequentialDataBlock):
    """A data block that can refuse writes to the watchdog register (a drive that cannot arm it)."""

    def __init__(self, size, bench=None, guarded=()):
        super().__init__(0, [0] * size)
        self.bench = bench
        self.guarded = guarded

    def setValues(self, address, values):  # noqa: N802 (pymodbus API)
        if not isinstance(values, list):
            values = [values]
        if self.bench is not None and self.bench.getValues(5, 1)[0]:
            values = [0 if address + i in self.guarded else v for i, v in enumerate(values)]
        super().setValues(address, values)


class Drive:
    def __init__(self):
        self.bench = ModbusSequentialDataBlock(0, [0] * 16)
        self.bench.setValues(3, [1])
        self.hr = Block(400, self.bench, (HR_WATCHDOG,))
        self.ir = Block(400)
        self.di = Block(64)
        self.co = Block(64)
        self.context = ModbusSlaveContext(di=self.di, co=self.co, hr=self.hr, ir=self.ir, zero_mode=True)
        self.bench_context = ModbusSlaveContext(hr=self.bench, zero_mode=True)
        self.state = "disabled"
        self.fault_code = 0
        self.actual_deg = 0.0
        self.velocity_deg_s = 0.0
        self.last_cw = 0
        self.last_request = time.monotonic()
        self.served = 0
        self.ir.setValues(IR_VENDOR, [0x0F0E, 0x2A])
        self.ir.setValues(IR_FIRMWARE, [0x0203, 0x0001])  # 0x00010203, low word first

    def bench_value(self, index):
        return self.bench.getValues(index, 1)[0]

    def target_deg(self):
        low, high = self.hr.getValues(HR_TARGET, 2)
        raw = struct.unpack("<i", struct.pack("<HH", low, high))[0]
        return raw * 0.01

    def step_state_machine(self, cw):
        s = self.state
        rising_reset = (cw & 0x80) and not (self.last_cw & 0x80)
        self.last_cw = cw
        if s == "fault":
            if rising_reset:
                self.state, self.fault_code = "disabled", 0
            return
        if (cw & 0x02) == 0:  # disable voltage
            self.state = "disabled"
        elif s == "disabled" and (cw & 0x87) == 0x06:
            self.state = "ready"
        elif s in ("ready", "switched_on", "enabled") and (cw & 0x87) == 0x06:
            self.state = "ready"
        elif s == "ready" and (cw & 0x8F) in (0x07, 0x0F):
            self.state = "switched_on"
        elif s == "switched_on" and (cw & 0x8F) == 0x0F:
            self.state = "enabled"
        elif s == "enabled" and (cw & 0x8F) == 0x07:
            self.state = "switched_on"
        elif s == "enabled" and (cw & 0x06) == 0x02:
            self.state = "quick_stop"

    def tick(self, dt):
        connected = self.bench_value(3) != 0
        pressed = self.bench_value(4) != 0
        self.step_state_machine(self.hr.getValues(HR_CONTROL_WORD, 1)[0])
        watchdog_ms = self.hr.getValues(HR_WATCHDOG, 1)[0] * 10
        moving = self.state in ("enabled", "quick_stop")
        silent_ms = (time.monotonic() - self.last_request) * 1000.0
        if moving and watchdog_ms > 0 and silent_ms > watchdog_ms:
            self.state, self.fault_code = "fault", FAULT_WATCHDOG
        if self.state in ("enabled", "switched_on", "ready") and not connected:
            self.state, self.fault_code = "fault", FAULT_STOP_UNPLUGGED
        if self.state == "enabled" and pressed:
            self.state = "quick_stop"  # the patient's switch acts on the drive directly
        goal = self.target_deg() if self.state == "enabled" else self.actual_deg
        goal = min(MAX_ANGLE_DEG, max(MIN_ANGLE_DEG, goal))
        step = max(-RATE_DEG_S * dt, min(RATE_DEG_S * dt, goal - self.actual_deg))
        self.actual_deg += step
        self.velocity_deg_s = step / dt if dt > 0 else 0.0
        self.publish(connected, pressed)

    def publish(self, connected, pressed):
        self.ir.setValues(IR_STATUS_WORD, [SW[self.state] | REMOTE, self.fault_code])
        self.ir.setValues(IR_ACTUAL, list(struct.unpack("<HH", struct.pack("<f", self.actual_deg))))
        self.ir.setValues(IR_VELOCITY, [struct.unpack("<H", struct.pack("<h", round(self.velocity_deg_s * 10)))[0]])
        force_raw = round(max(0.0, 700.0 * abs(self.actual_deg) / 90.0) * 10)
        self.ir.setValues(IR_FORCE, [force_raw & 0xFFFF, force_raw >> 16])
        self.di.setValues(DI_STOP_PRESSED, [int(pressed), int(connected),
                                            int(self.actual_deg <= MIN_ANGLE_DEG + 1e-6),
                                            int(self.actual_deg >= MAX_ANGLE_DEG - 1e-6)])
        self.bench.setValues(6, [self.served & 0xFFFF, SW[self.state] | REMOTE, self.fault_code])


DRIVE = Drive()


class FaultInjection:
    """Serves requests, and misbehaves on unit 1 as the fault injector (unit 247) says."""

    def execute(self, request, *addr):
        if request.unit_id != DRIVE_UNIT:
            return super().execute(request, *addr)
        DRIVE.last_request = time.monotonic()
        DRIVE.served += 1
        mode, count, delay_ms = DRIVE.bench.getValues(0, 3)
        if mode == 0 or count == 0:
            return super().execute(request, *addr)
        if count != 0xFFFF:
            DRIVE.bench.setValues(1, [count - 1])
        if mode in (1, 2):
            response = request.doException(0x06 if mode == 1 else 0x02)
            response.transaction_id = request.transaction_id
            response.unit_id = request.unit_id
            return self.send(response, *addr)
        if mode == 3:
            time.sleep(delay_ms / 1000.0)  # blocks the loop on purpose: the reply really is late
            return super().execute(request, *addr)
        if mode == 5 and isinstance(self, ModbusConnectedRequestHandler):
            return self.transport.close()
        return None  # mode 4 (and 5 on a serial line): never reply


class FaultyTcpHandler(FaultInjection, ModbusConnectedRequestHandler):
    pass


class FaultySerialHandler(FaultInjection, ModbusSingleRequestHandler):
    pass


async def run(args):
    context = ModbusServerContext(slaves={DRIVE_UNIT: DRIVE.context, BENCH_UNIT: DRIVE.bench_context},
                                  single=False)
    server = ModbusTcpServer(context, ModbusSocketFramer, None, (args.host, args.port),
                             handler=FaultyTcpHandler, allow_reuse_address=True)
    if args.serial:  # the drive also answers RTU on a serial line; unit 247 stays on TCP
        serial_server = ModbusSerialServer(context, ModbusRtuFramer, port=args.serial, baudrate=args.baud,
                                           parity=args.parity, handler=FaultySerialHandler)
        await serial_server.start()
    DRIVE.tick(0.0)  # registers hold a consistent drive before the first client can connect
    serving = asyncio.create_task(server.serve_forever())
    await server.serving
    port = server.server.sockets[0].getsockname()[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w", encoding="ascii") as f:
            f.write(f"{port}\n")
        os.replace(tmp, args.port_file)  # readers never see a half-written file
    print(f"foreign drive listening on {args.host}:{port}", flush=True)
    parent = os.getppid()
    last = time.monotonic()
    while not serving.done():
        await asyncio.sleep(TICK_S)
        now = time.monotonic()
        DRIVE.tick(now - last)
        last = now
        if os.getppid() != parent:  # the test that started us is gone
            break


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="TCP port; 0 picks a free one")
    parser.add_argument("--port-file", help="write the listening port here once accepting")
    parser.add_argument("--serial", help="also serve unit 1 over RTU on this serial device (e.g. a pty)")
    parser.add_argument("--baud", type=int, default=19200)
    parser.add_argument("--parity", default="N", choices=["N", "E", "O"])
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)
    logging.getLogger("pymodbus").setLevel(logging.CRITICAL)  # a dropped client is not an error here
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
