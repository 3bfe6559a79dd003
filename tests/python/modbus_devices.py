"""The register maps of the Modbus devices that modbus_sim.py plays, written from the vendors'
documentation (shared docs: protocol-facts.md, section 6) and nothing else: these simulators exist to
check Ampwise's Modbus drivers against a reading of the documents that is not Ampwise's own.

No Modbus transport here, only what a device holds and how it answers one request:
    device.read(function_code, address, count) -> list of 16-bit registers
    device.write(function_code, address, registers)
both raise ModbusException(code) where the device would answer with a Modbus exception, and the
control channel's named values (set_named/get_named) that raise CommandError on bad input.
"""

import math
import struct

ILLEGAL_FUNCTION = 0x01
ILLEGAL_ADDRESS = 0x02
ILLEGAL_VALUE = 0x03


class ModbusException(Exception):
    """The device answers the request with this Modbus exception code."""

    def __init__(self, code):
        super().__init__(f"Modbus exception {code:#04x}")
        self.code = code


class CommandError(Exception):
    """A control command the simulator cannot carry out; the message names the field."""


# --- how values sit in registers: big-endian, high word first (both vendors) ----------------------

FORMATS = {
    # kind: (struct format, register count)
    "u16": (">H", 1),
    "u32": (">I", 2),
    "i32": (">i", 2),
    "u64": (">Q", 4),
    "f32": (">f", 2),
}


def to_registers(kind, value, what):
    """`value` as the registers of a `kind` field; CommandError names `what` when it does not fit."""
    if kind == "ascii32":
        return ascii_to_registers(value, what)
    fmt, _ = FORMATS[kind]
    if kind == "f32":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise CommandError(f"{what}: expected a number, got {value!r}")
        try:
            raw = struct.pack(fmt, float(value))
        except (OverflowError, struct.error) as error:
            raise CommandError(f"{what}: {value!r} does not fit a float32 ({error})") from error
    else:
        if isinstance(value, bool) or not isinstance(value, int):
            raise CommandError(f"{what}: expected an integer, got {value!r}")
        try:
            raw = struct.pack(fmt, value)
        except struct.error as error:
            raise CommandError(f"{what}: {value} does not fit a {kind} register value") from error
    return [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]


def from_registers(kind, registers):
    if kind == "ascii32":
        return registers_to_ascii(registers)
    fmt, _ = FORMATS[kind]
    raw = b"".join(register.to_bytes(2, "big") for register in registers)
    return struct.unpack(fmt, raw)[0]


def register_count(kind):
    return 16 if kind == "ascii32" else FORMATS[kind][1]


def ascii_to_registers(text, what):
    """Up to 32 ASCII characters, two per register (first character in the high byte), zero padded."""
    if not isinstance(text, str):
        raise CommandError(f"{what}: expected a string, got {text!r}")
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError as error:
        raise CommandError(f"{what}: {text!r} is not ASCII") from error
    if len(raw) > 32 or b"\0" in raw:
        raise CommandError(f"{what}: {text!r} must be at most 32 characters without NUL")
    raw = raw.ljust(32, b"\0")
    return [int.from_bytes(raw[i : i + 2], "big") for i in range(0, 32, 2)]


def registers_to_ascii(registers):
    raw = b"".join(register.to_bytes(2, "big") for register in registers)
    return raw.split(b"\0", 1)[0].decode("ascii", errors="replace")


class Field:
    """A value of the register map: `count` registers from `address`."""

    def __init__(self, name, address, kind, initial, accepts=None):
        self.name = name
        self.address = address
        self.kind = kind
        self.count = register_count(kind)
        self.initial = initial
        # For writable registers: which raw values (of the whole field) a write may set.
        self.accepts = accepts

    @property
    def writable(self):
        return self.accepts is not None


class Named:
    """A value the control channel sets in engineering units: `fields` scaled by `scale`
    (raw = value * scale); a list of three values when there are three fields."""

    def __init__(self, name, fields, scale=1, kind="number"):
        self.name = name
        self.fields = fields
        self.scale = scale
        self.kind = kind


class Device:
    """A register map with values; subclasses say which fields and function codes it has."""

    model = ""
    read_functions = frozenset()
    write_functions = frozenset()
    fields = ()
    named = ()
    # Addresses readable although no field covers them (they read 0); empty = only the fields.
    open_window = None
    # The most registers one read may ask for.
    max_read = 125

    def __init__(self):
        self.by_name = {field.name: field for field in self.fields}
        self.named_by_name = {named.name: named for named in self.named}
        self.registers = {}
        self.owner = {}  # register address -> the field it belongs to
        for field in self.fields:
            for offset in range(field.count):
                self.owner[field.address + offset] = field
            self._store(field, field.initial)

    # --- the Modbus side ----------------------------------------------------------------------

    def read(self, function_code, address, count):
        if function_code not in self.read_functions:
            raise ModbusException(ILLEGAL_FUNCTION)
        if count > self.max_read:
            raise ModbusException(ILLEGAL_VALUE)
        for register in range(address, address + count):
            if not self._readable(register):
                raise ModbusException(ILLEGAL_ADDRESS)
        return [self.registers.get(register, 0) for register in range(address, address + count)]

    def write(self, function_code, address, values):
        """Writes all registers or none; returns the addresses written."""
        if function_code not in self.write_functions:
            raise ModbusException(ILLEGAL_FUNCTION)
        staged = {}
        for offset, value in enumerate(values):
            register = address + offset
            field = self.owner.get(register)
            if field is None or not field.writable:
                raise ModbusException(ILLEGAL_ADDRESS)
            staged[register] = value
        # A value is checked as the whole field will read after the write, so a write of one half
        # of a two-register value is judged with the other half as it stands.
        touched = {self.owner[register] for register in staged}
        for field in touched:
            registers = [
                staged.get(field.address + i, self.registers[field.address + i])
                for i in range(field.count)
            ]
            if not field.accepts(from_registers(field.kind, registers)):
                raise ModbusException(ILLEGAL_VALUE)
        self.registers.update(staged)
        return sorted(staged)

    def readback(self, address, count):
        return [self.registers.get(register, 0) for register in range(address, address + count)]

    def _readable(self, register):
        if register in self.owner:
            return True
        return self.open_window is not None and register in self.open_window

    # --- the control channel --------------------------------------------------------------------

    def _store(self, field, value, what=None):
        for offset, register in enumerate(to_registers(field.kind, value, what or field.name)):
            self.registers[field.address + offset] = register

    def _load(self, field):
        registers = [self.registers[field.address + i] for i in range(field.count)]
        return from_registers(field.kind, registers)

    def names(self):
        return sorted(set(self.by_name) | set(self.named_by_name))

    def set_named(self, name, value):
        if name in self.named_by_name:
            named = self.named_by_name[name]
            raws = self._raws_for(named, value)
            for field, raw in zip(named.fields, raws):
                self._store(self.by_name[field], raw, named.name)
            return
        if name in self.by_name:
            self._store(self.by_name[name], value)
            return
        raise CommandError(f"name: {name!r} is not a value of the {self.model} ({', '.join(self.names())})")

    def get_named(self, name):
        if name in self.named_by_name:
            named = self.named_by_name[name]
            values = [self._engineering(named, self._load(self.by_name[field])) for field in named.fields]
            return values if len(values) > 1 else values[0]
        if name in self.by_name:
            return self._load(self.by_name[name])
        raise CommandError(f"name: {name!r} is not a value of the {self.model} ({', '.join(self.names())})")

    def _raws_for(self, named, value):
        values = value if len(named.fields) > 1 else [value]
        if len(named.fields) > 1 and (not isinstance(value, list) or len(value) != len(named.fields)):
            raise CommandError(f"{named.name}: expected a list of {len(named.fields)} values, got {value!r}")
        raws = []
        for item in values:
            if named.kind == "text":
                raws.append(item)
            elif isinstance(item, bool) or not isinstance(item, (int, float)):
                raise CommandError(f"{named.name}: expected a number, got {item!r}")
            elif named.kind == "float":
                raws.append(float(item))
            else:
                scaled = item * named.scale
                if not math.isfinite(scaled):
                    raise CommandError(f"{named.name}: {item!r} is not a finite number")
                raws.append(int(round(scaled)))
        return raws

    def _engineering(self, named, raw):
        if named.kind != "number" or named.scale == 1:
            return raw
        return raw / named.scale


# --- cFos Power Brain wallbox -----------------------------------------------------------------------


def between(low, high):
    return lambda value: low <= value <= high


def one_of(*allowed):
    return lambda value: value in allowed


def any_value(_value):
    return True


class PowerBrain(Device):
    """cFos Power Brain: holding registers only (read 03, write 06/16). Only the documented
    registers answer; any other address, also a gap inside a read, is exception 02."""

    model = "powerbrain"
    read_functions = frozenset({3})
    write_functions = frozenset({6, 16})
    fields = (
        # The meter block (8058-8069), also what the S0 meters serve.
        Field("energy", 8058, "u64", 0),
        Field("power", 8062, "i32", 0),
        Field("current_l1", 8064, "i32", 0),
        Field("current_l2", 8066, "i32", 0),
        Field("current_l3", 8068, "i32", 0),
        # The EVSE.
        Field("fail_safe_duration", 8083, "u32", 300, accepts=any_value),
        Field("fail_safe_current", 8085, "u16", 60, accepts=lambda v: v == 0 or 60 <= v <= 630),
        Field("disconnect_cp", 8086, "u16", 0, accepts=any_value),
        Field("relay_select", 8087, "u16", 0, accepts=one_of(0, 1)),
        Field("cable_current", 8090, "u16", 320),
        Field("cp_state", 8092, "u16", 0),
        Field("charging_cur_limit", 8093, "u16", 160, accepts=between(60, 630)),
        Field("charging_enable", 8094, "u16", 1, accepts=one_of(0, 1)),
        Field("charging_current", 8095, "u16", 0),
        Field("last_rfid", 8096, "ascii32", ""),
        Field("has_meter", 8112, "u16", 1),
        # evcc reads bit 8 as "can switch phases" (protocol-facts, evcc cross-check).
        Field("features", 8113, "u16", 0x0100),
    )
    named = (
        Named("cable_current_a", ["cable_current"], scale=10),
        Named("actual_current_a", ["charging_current"], scale=10),
        Named("energy_wh", ["energy"]),
        Named("power_w", ["power"]),
        Named("currents_a", ["current_l1", "current_l2", "current_l3"], scale=10),
        Named("rfid", ["last_rfid"], kind="text"),
    )

    CP_STATES = "ABCDEF"

    def set_named(self, name, value):
        # CP state as a letter too, as the IEC 61851 states are usually written.
        if name == "cp_state":
            if isinstance(value, str) and len(value) == 1 and value.upper() in self.CP_STATES:
                value = self.CP_STATES.index(value.upper())
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5:
                raise CommandError(f"cp_state: expected 0..5 or 'A'..'F', got {value!r}")
        super().set_named(name, value)


# --- Eastron SDM630 / SDM72D-M V2 -------------------------------------------------------------------


class Sdm630(Device):
    """Eastron SDM630: input registers (read 04), float32 values. The meter's input register space is
    dense, so every address up to 0x17F answers (0.0 where nothing is modelled); at most 30 values
    (60 registers) per read."""

    model = "sdm630"
    read_functions = frozenset({4})
    write_functions = frozenset()
    open_window = range(0x0000, 0x0180)
    max_read = 60
    fields = (
        Field("voltage_l1", 0x00, "f32", 230.0),
        Field("voltage_l2", 0x02, "f32", 230.0),
        Field("voltage_l3", 0x04, "f32", 230.0),
        Field("current_l1", 0x06, "f32", 0.0),
        Field("current_l2", 0x08, "f32", 0.0),
        Field("current_l3", 0x0A, "f32", 0.0),
        Field("power_l1", 0x0C, "f32", 0.0),
        Field("power_l2", 0x0E, "f32", 0.0),
        Field("power_l3", 0x10, "f32", 0.0),
        Field("total_power", 0x34, "f32", 0.0),
        Field("frequency", 0x46, "f32", 50.0),
        Field("import_energy", 0x48, "f32", 0.0),
        Field("export_energy", 0x4A, "f32", 0.0),
        Field("total_energy", 0x156, "f32", 0.0),
        Field("import_energy_l1", 0x15A, "f32", 0.0),
        Field("import_energy_l2", 0x15C, "f32", 0.0),
        Field("import_energy_l3", 0x15E, "f32", 0.0),
    )
    named = (
        Named("voltages_v", ["voltage_l1", "voltage_l2", "voltage_l3"], kind="float"),
        Named("currents_a", ["current_l1", "current_l2", "current_l3"], kind="float"),
        Named("powers_w", ["power_l1", "power_l2", "power_l3"], kind="float"),
        Named("total_power_w", ["total_power"], kind="float"),
        Named("frequency_hz", ["frequency"], kind="float"),
        Named("import_kwh", ["import_energy"], kind="float"),
        Named("export_kwh", ["export_energy"], kind="float"),
        Named("total_kwh", ["total_energy"], kind="float"),
        Named("import_kwh_phases", ["import_energy_l1", "import_energy_l2", "import_energy_l3"], kind="float"),
    )


MODELS = {"powerbrain": PowerBrain, "sdm630": Sdm630}
