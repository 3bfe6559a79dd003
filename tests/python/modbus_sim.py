"""Modbus simulators of a cFos Power Brain wallbox and an Eastron SDM630 meter, built on the PyPI
`pymodbus` package and the vendors' register maps (modbus_devices.py). Ampwise's end-to-end tests run
its Modbus drivers against them, next to Ampwise's own simulators, so that both sides of a test are
not the same reading of the documents.

    python modbus_sim.py --model powerbrain --tcp 127.0.0.1:0 --unit 1
    python modbus_sim.py --model sdm630 --serial /tmp/x/a --baud 9600 --parity N --stopbits 1 --unit 1 --unit 2

On start it prints one line, {"ready":true,"tcp":"127.0.0.1:PORT"} or {"ready":true,"serial":PATH}.
Then it reads one JSON command per line on stdin and answers each with one JSON line on stdout:

    {"cmd":"ping"}                                          -> {"ok":true}
    {"cmd":"set","unit":1,"name":"cp_state","value":2}      -> {"ok":true}
    {"cmd":"get","unit":1,"name":"charging_cur_limit"}      -> {"ok":true,"value":160}
    {"cmd":"peek","unit":1,"address":8093,"count":1}        -> {"ok":true,"registers":[160]}
    {"cmd":"poke","unit":1,"address":8093,"registers":[100]} -> {"ok":true}
    {"cmd":"writes","unit":1}                               -> {"ok":true,"writes":{"8093":2}}
    {"cmd":"requests","unit":1}                             -> {"ok":true,"requests":{"3":7,"16":2}}
    {"cmd":"reset_counts","unit":1}                         -> {"ok":true}
    {"cmd":"fault","unit":1,"kind":"silent"}                -> {"ok":true}
    {"cmd":"fault","unit":1,"kind":"exception","code":4}    -> {"ok":true}
    {"cmd":"fault","unit":1,"kind":"none"}                  -> {"ok":true}
    anything wrong                                          -> {"ok":false,"error":"..."}

A unit id the simulator does not play gets no answer on a serial line (as on a real bus) and
exception 0x0B (gateway target failed to respond) over TCP. It exits when stdin closes, so a test that
dies takes its simulator along.
"""

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import termios
import threading
from collections import Counter

from pymodbus.constants import ExcCodes
from pymodbus.datastore import ModbusServerContext
from pymodbus.exceptions import NoSuchIdException
from pymodbus.server import ModbusSerialServer, ModbusTcpServer

from modbus_devices import MODELS, CommandError, ModbusException

READ_FUNCTIONS = frozenset({1, 2, 3, 4})
# Function codes pymodbus reads back after writing them (the echo of 05/06); no request of its own.
READBACK_FUNCTIONS = frozenset({5, 6})


class Unit:
    """One device on the bus: its registers, what it was asked, and the fault it plays."""

    def __init__(self, device):
        self.device = device
        self.writes = Counter()
        self.requests = Counter()
        self.fault = None  # None, "silent" or an ExcCodes

    def answer_fault(self):
        if self.fault == "silent":
            # pymodbus sends nothing for a request whose device "does not exist" when the server
            # ignores missing devices: exactly a device that stays silent.
            raise NoSuchIdException("silent fault")
        return self.fault


class SimContext(ModbusServerContext):
    """The datastore pymodbus asks for each request. Written against pymodbus's request-level hooks
    (async_getValues/async_setValues per unit id) rather than its register-block datastores, because
    the devices need per-unit faults, silence and write validation that blocks cannot express."""

    # pymodbus uses a context as it is only when it is an "old simulator" one; any other
    # ModbusServerContext is converted into register blocks. The base __init__ is skipped on purpose:
    # it builds those blocks.
    def __init__(self, units, silent_for_unknown):  # pylint: disable=super-init-not-called
        self.old_simulator = True
        self.simdevices = []
        self.units = units
        self.silent_for_unknown = silent_for_unknown

    def device_ids(self):
        return list(self.units)

    def _unit(self, device_id):
        unit = self.units.get(device_id)
        if unit is None and self.silent_for_unknown:
            raise NoSuchIdException(f"no unit {device_id}")
        return unit

    async def async_getValues(self, device_id, func_code, address, count=1):
        unit = self._unit(device_id)
        if unit is None:
            return ExcCodes.GATEWAY_NO_RESPONSE
        if func_code in READBACK_FUNCTIONS or func_code == 16:
            return unit.device.readback(address, count)
        unit.requests[func_code] += 1
        if (fault := unit.answer_fault()) is not None:
            return fault
        if func_code not in READ_FUNCTIONS:
            return ExcCodes.ILLEGAL_FUNCTION
        try:
            return unit.device.read(func_code, address, count)
        except ModbusException as exception:
            return ExcCodes(exception.code)

    async def async_setValues(self, device_id, func_code, address, values):
        unit = self._unit(device_id)
        if unit is None:
            return ExcCodes.GATEWAY_NO_RESPONSE
        unit.requests[func_code] += 1
        if (fault := unit.answer_fault()) is not None:
            return fault
        try:
            written = unit.device.write(func_code, address, list(values))
        except ModbusException as exception:
            return ExcCodes(exception.code)
        unit.writes.update(written)
        return None


# --- the control channel --------------------------------------------------------------------------


def field(command, name, kind):
    if name not in command:
        raise CommandError(f"{name}: missing")
    value = command[name]
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise CommandError(f"{name}: expected an integer, got {value!r}")
    if kind is str and not isinstance(value, str):
        raise CommandError(f"{name}: expected a string, got {value!r}")
    if kind is list and not isinstance(value, list):
        raise CommandError(f"{name}: expected a list, got {value!r}")
    return value


def unit_of(units, command):
    unit_id = field(command, "unit", int)
    if unit_id not in units:
        raise CommandError(f"unit: {unit_id} is not simulated here (units {sorted(units)})")
    return units[unit_id]


def registers_of(command):
    registers = field(command, "registers", list)
    for register in registers:
        if isinstance(register, bool) or not isinstance(register, int) or not 0 <= register <= 0xFFFF:
            raise CommandError(f"registers: {register!r} is not a 16-bit register value")
    return registers


def address_of(command):
    address = field(command, "address", int)
    if not 0 <= address <= 0xFFFF:
        raise CommandError(f"address: {address} is outside 0..65535")
    return address


def handle(units, command):
    """Carries out one control command; returns the answer's fields besides "ok"."""
    if not isinstance(command, dict):
        raise CommandError("command: expected a JSON object")
    cmd = field(command, "cmd", str)
    if cmd == "ping":
        return {}
    unit = unit_of(units, command)
    if cmd == "set":
        unit.device.set_named(field(command, "name", str), field(command, "value", object))
        return {}
    if cmd == "get":
        return {"value": unit.device.get_named(field(command, "name", str))}
    if cmd == "peek":
        address = address_of(command)
        count = command.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 0x10000 - address:
            raise CommandError(f"count: {count!r} registers do not fit from address {address}")
        return {"registers": unit.device.readback(address, count)}
    if cmd == "poke":
        address = address_of(command)
        registers = registers_of(command)
        if address + len(registers) > 0x10000:
            raise CommandError("registers: run past address 65535")
        for offset, register in enumerate(registers):
            unit.device.registers[address + offset] = register
        return {}
    if cmd == "writes":
        return {"writes": {str(address): count for address, count in sorted(unit.writes.items())}}
    if cmd == "requests":
        return {"requests": {str(code): count for code, count in sorted(unit.requests.items())}}
    if cmd == "reset_counts":
        unit.writes.clear()
        unit.requests.clear()
        return {}
    if cmd == "fault":
        kind = field(command, "kind", str)
        if kind == "none":
            unit.fault = None
        elif kind == "silent":
            unit.fault = "silent"
        elif kind == "exception":
            code = command.get("code", ExcCodes.DEVICE_FAILURE.value)
            try:
                unit.fault = ExcCodes(code)
            except ValueError as error:
                valid = ", ".join(str(c.value) for c in ExcCodes)
                raise CommandError(f"code: {code!r} is not a Modbus exception code ({valid})") from error
        else:
            raise CommandError(f"kind: {kind!r} is not one of none, silent, exception")
        return {}
    raise CommandError(
        f"cmd: {cmd!r} is not one of ping, set, get, peek, poke, writes, requests, reset_counts, fault"
    )


def answer_line(units, line):
    try:
        command = json.loads(line)
    except json.JSONDecodeError as error:
        return {"ok": False, "error": f"not JSON: {error}"}
    try:
        return {"ok": True, **handle(units, command)}
    except CommandError as error:
        return {"ok": False, "error": str(error)}


def emit(message):
    try:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # The test that reads us is gone; so are we.
        os._exit(0)


def start_stdin_reader(loop, lines, eof):
    """stdin lines into the asyncio queue `lines`, then None and `eof` set at end of input. A daemon
    thread, because asyncio's pipe readers refuse stdin when it is a file, and a blocked read must
    not keep the process alive."""

    def run():
        for line in sys.stdin:
            loop.call_soon_threadsafe(lines.put_nowait, line)
        loop.call_soon_threadsafe(lines.put_nowait, None)
        loop.call_soon_threadsafe(eof.set)

    threading.Thread(target=run, name="stdin", daemon=True).start()


# --- the Modbus side ------------------------------------------------------------------------------


def parse_host_port(text):
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise argparse.ArgumentTypeError(f"--tcp: {text!r} is not HOST:PORT")
    return host, int(port)


async def serve_tcp(context, host, port, ready):
    server = ModbusTcpServer(context, address=(host, port), ignore_missing_devices=True)
    await server.serve_forever(background=True)
    # With port 0 the OS picked one; pymodbus's listener is the asyncio server that knows which.
    port = server.transport.sockets[0].getsockname()[1]
    ready({"ready": True, "tcp": f"{host}:{port}"})
    return server


class SerialLine:
    """Keeps a pymodbus RTU server on the serial port at `path`: when the port goes away (an
    unplugged USB adapter, a killed pty pair) it reopens the same path once it is back."""

    def __init__(self, context, args):
        self.context = context
        self.args = args
        self.server = None
        self.generation = None
        self.lost = asyncio.Event()
        self.log = logging.getLogger("modbus_sim")

    def _connection(self, generation, connected):
        # Only the loss of the port in use counts, not the close of one being shut down.
        if not connected and generation is self.generation:
            self.lost.set()

    def _parity(self):
        # A Linux pseudo-terminal has no parity: the kernel drops PARENB and pyserial then fails to
        # reconfigure the port (EINVAL). Nothing travels with parity bits through a pty anyway.
        if self.args.parity != "N" and os.path.realpath(self.args.serial).startswith("/dev/pts/"):
            self.log.warning("%s is a pseudo-terminal: parity %s not set (ptys have none)", self.args.serial, self.args.parity)
            return "N"
        return self.args.parity

    async def _open(self):
        said = None
        while True:
            if not os.path.exists(self.args.serial):
                problem = f"waiting for serial port {self.args.serial}"
            else:
                generation = object()
                self.generation = generation
                server = ModbusSerialServer(
                    self.context,
                    port=self.args.serial,
                    baudrate=self.args.baud,
                    parity=self._parity(),
                    stopbits=self.args.stopbits,
                    bytesize=self.args.bytesize,
                    ignore_missing_devices=True,
                    # Address 0 is the broadcast address on a serial line: every unit acts, none answers.
                    broadcast_enable=True,
                    trace_connect=lambda connected, generation=generation: self._connection(generation, connected),
                )
                try:
                    await server.serve_forever(background=True)
                    return server
                except (RuntimeError, OSError, termios.error) as error:
                    # A port that is there but not usable yet (just created, still locked).
                    problem = f"cannot open serial port {self.args.serial} yet: {error}"
                    self.generation = None
                    await server.shutdown()
            if problem != said:
                self.log.warning("%s", problem)
                said = problem
            await asyncio.sleep(0.1)

    async def run(self, ready):
        self.server = await self._open()
        ready({"ready": True, "serial": self.args.serial})
        while True:
            await self.lost.wait()
            self.lost.clear()
            self.log.warning("serial port %s lost; reopening", self.args.serial)
            self.generation = None
            await self.server.shutdown()
            self.server = await self._open()

    async def close(self):
        self.generation = None
        if self.server:
            await self.server.shutdown()


async def main(args):
    units = {unit_id: Unit(MODELS[args.model]()) for unit_id in args.unit}
    loop = asyncio.get_running_loop()
    lines = asyncio.Queue()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    # Read stdin from the start: a test that is gone before the port opens must end us too.
    eof = asyncio.Event()
    start_stdin_reader(loop, lines, eof)

    ready = asyncio.Event()

    def announce(message):
        emit(message)
        ready.set()

    server = serial_line = serial_task = None
    if args.tcp:
        server = await serve_tcp(SimContext(units, silent_for_unknown=False), *args.tcp, announce)
    else:
        serial_line = SerialLine(SimContext(units, silent_for_unknown=True), args)
        serial_task = asyncio.create_task(serial_line.run(announce))

    stop_task = asyncio.create_task(stop.wait())
    ready_task = asyncio.create_task(ready.wait())
    eof_task = asyncio.create_task(eof.wait())
    try:
        # Commands wait until the ready line is out, so that it stays the first line.
        pending = {ready_task, stop_task, eof_task} | ({serial_task} if serial_task else set())
        done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        if serial_task in done:
            serial_task.result()  # a failure of the serial line ends the simulator, loudly
        while ready.is_set() and not stop.is_set():
            next_line = asyncio.create_task(lines.get())
            pending = {next_line, stop_task} | ({serial_task} if serial_task else set())
            done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            if serial_task in done:
                serial_task.result()
            if next_line not in done:
                next_line.cancel()
                break
            line_text = next_line.result()
            if line_text is None:
                break
            if line_text.strip():
                emit(answer_line(units, line_text))
    finally:
        for task in (stop_task, ready_task, eof_task, serial_task):
            if task:
                task.cancel()
        if serial_line:
            await serial_line.close()
        if server:
            await server.shutdown()


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--model", required=True, choices=sorted(MODELS))
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--tcp", type=parse_host_port, metavar="HOST:PORT", help="port 0 picks a free port")
    where.add_argument("--serial", metavar="PATH")
    parser.add_argument("--baud", type=int, default=9600)
    parser.add_argument("--parity", choices=["N", "E", "O"], default="N")
    parser.add_argument("--stopbits", type=int, choices=[1, 2], default=1)
    parser.add_argument("--bytesize", type=int, choices=[7, 8], default=8)
    parser.add_argument("--unit", type=int, action="append", help="unit id to play (repeatable; default 1)")
    parser.add_argument("--verbose", action="store_true", help="pymodbus debug log on stderr")
    args = parser.parse_args(argv)
    args.unit = args.unit or [1]
    for unit_id in args.unit:
        if not 1 <= unit_id <= 247:
            parser.error(f"--unit: {unit_id} is outside 1..247")
    return args


if __name__ == "__main__":
    arguments = parse_args(sys.argv[1:])
    # stdout carries the protocol; every log line goes to stderr.
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if arguments.verbose else logging.WARNING,
        format="modbus_sim %(levelname)s %(name)s: %(message)s",
    )
    try:
        asyncio.run(main(arguments))
    except KeyboardInterrupt:
        pass
