#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The minimal polling loop the daemon's footprint is compared with: Debian's python3-pymodbus
doing one control cycle's transactions (read each block, write the command block) at a fixed rate
with absolute deadlines, against traction-sim over TCP.

  pymodbus_poll.py --port P --rate 100 --seconds 30 --read holding:0:6 --read input:0:12 --write 0:4
"""
import argparse
import sys
import time

from pymodbus.client import ModbusTcpClient

UNIT = 1
SHUTDOWN = 0x06  # CiA 402 shutdown: the drive does not move


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--read", action="append", default=[], help="table:address:count")
    parser.add_argument("--write", default="0:4", help="address:count of the command block")
    args = parser.parse_args()

    client = ModbusTcpClient("127.0.0.1", port=args.port, timeout=1)
    if not client.connect():
        print("pymodbus_poll: cannot connect", file=sys.stderr)
        return 1
    reads = []
    for spec in args.read:
        table, address, count = spec.split(":")
        reader = client.read_holding_registers if table == "holding" else client.read_input_registers
        reads.append((reader, int(address), int(count)))
    write_address, write_count = (int(x) for x in args.write.split(":"))

    period = 1.0 / args.rate
    deadline = time.monotonic()
    end = deadline + args.seconds
    heartbeat = 0
    cycles = failures = 0
    while deadline < end:
        deadline += period
        for reader, address, count in reads:
            if reader(address, count, slave=UNIT).isError():
                failures += 1
        heartbeat = (heartbeat + 1) & 0xFFFF
        words = [SHUTDOWN, heartbeat] + [0] * (write_count - 2)
        if client.write_registers(write_address, words, slave=UNIT).isError():
            failures += 1
        cycles += 1
        delay = deadline - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        else:
            deadline = time.monotonic()
    client.close()
    print(f"pymodbus_poll: {cycles} cycles, {failures} failures", file=sys.stderr)
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
