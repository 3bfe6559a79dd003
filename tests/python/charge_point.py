"""An OCPP 1.6J charge point built on the PyPI `ocpp` package, used by Ampwise's end-to-end tests
as a peer that is not Ampwise's own code.

It connects to a central system, plays a scenario, answers the central system's requests the way a
wallbox would (and records them), and prints one JSON object with what happened on stdout.

    python charge_point.py --url ws://127.0.0.1:19520/ocpp/CB1 --id CB1 --scenario session
"""

import argparse
import asyncio
import base64
import json
import ssl
import sys
from datetime import datetime, timezone

import websockets
from ocpp.routing import after, on
from ocpp.v16 import ChargePoint as OcppChargePoint
from ocpp.v16 import call, call_result
from ocpp.v16.datatypes import MeterValue, SampledValue
from ocpp.v16.enums import (
    ChargePointErrorCode,
    ChargePointStatus,
    ClearChargingProfileStatus,
    ConfigurationStatus,
    Measurand,
    Phase,
    ReadingContext,
    Reason,
    UnitOfMeasure,
    ValueFormat,
)

# A calibration-law reading as an Eichrecht meter would send it; passed through byte for byte.
OCMF = (
    'OCMF|{"FV":"1.0","GI":"Ampwise Test","GS":"0815","PG":"T1","MS":"M-42","IS":true,'
    '"IT":"ISO14443","ID":"04A2B3C4","RD":[{"TM":"2026-11-24T10:00:00,000+0000 S","TX":"E",'
    '"RV":2.345,"RI":"1-b:1.8.0","RU":"kWh","ST":"G"}]}|{"SA":"ECDSA-secp256r1-SHA256",'
    '"SD":"3045022100A1B2C3D4E5F60718293A4B5C6D7E8F9011223344556677889900AABBCCDDEEFF"}'
)

# The configuration a smart-charging wallbox reports (GetConfiguration).
CONFIGURATION = {
    "ChargeProfileMaxStackLevel": "8",
    "ChargingScheduleAllowedChargingRateUnit": "Current,Power",
    "NumberOfConnectors": "1",
    "MeterValuesSampledData": "Energy.Active.Import.Register,Power.Active.Import,Current.Import",
    "MeterValueSampleInterval": "60",
    "HeartbeatInterval": "300",
}


def now():
    return datetime.now(timezone.utc).isoformat()


class ChargePoint(OcppChargePoint):
    """Answers the central system like a wallbox and records every request it got."""

    def __init__(self, *args, rate_units="Current,Power", reject_profiles=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.received = []
        self.configuration = dict(CONFIGURATION)
        self.configuration["ChargingScheduleAllowedChargingRateUnit"] = rate_units
        self.reject_profiles = reject_profiles
        self.profiles = {}
        self.transaction_id = None
        self.transactions = []
        self.meter = 1000

    def _record(self, action, **payload):
        self.received.append({"action": action, "payload": payload})

    @on("GetConfiguration")
    def on_get_configuration(self, key=None, **_):
        self._record("GetConfiguration", key=key)
        wanted = key or list(self.configuration)
        known = [k for k in wanted if k in self.configuration]
        return call_result.GetConfiguration(
            configuration_key=[
                {"key": k, "readonly": k != "MeterValueSampleInterval", "value": self.configuration[k]}
                for k in known
            ],
            unknown_key=[k for k in wanted if k not in self.configuration] or None,
        )

    @on("ChangeConfiguration")
    def on_change_configuration(self, key, value, **_):
        self._record("ChangeConfiguration", key=key, value=value)
        if key in self.configuration:
            self.configuration[key] = value
            return call_result.ChangeConfiguration(status=ConfigurationStatus.accepted)
        return call_result.ChangeConfiguration(status=ConfigurationStatus.not_supported)

    @on("SetChargingProfile")
    def on_set_charging_profile(self, connector_id, cs_charging_profiles, **_):
        self._record("SetChargingProfile", connector_id=connector_id, profile=cs_charging_profiles)
        if self.reject_profiles:
            return call_result.SetChargingProfile(status="Rejected")
        self.profiles[cs_charging_profiles["charging_profile_id"]] = cs_charging_profiles
        return call_result.SetChargingProfile(status="Accepted")

    @on("ClearChargingProfile")
    def on_clear_charging_profile(self, **kwargs):
        self._record("ClearChargingProfile", **kwargs)
        profile_id = kwargs.get("id")
        if profile_id is not None:
            found = self.profiles.pop(profile_id, None) is not None
        else:
            found = bool(self.profiles)
            self.profiles.clear()
        status = ClearChargingProfileStatus.accepted if found else ClearChargingProfileStatus.unknown
        return call_result.ClearChargingProfile(status=status)

    @on("RemoteStartTransaction")
    def on_remote_start(self, id_tag, **kwargs):
        self._record("RemoteStartTransaction", id_tag=id_tag, **kwargs)
        return call_result.RemoteStartTransaction(status="Accepted")

    @on("RemoteStopTransaction")
    def on_remote_stop(self, transaction_id, **_):
        self._record("RemoteStopTransaction", transaction_id=transaction_id)
        return call_result.RemoteStopTransaction(status="Accepted")

    @after("RemoteStopTransaction")
    async def after_remote_stop(self, transaction_id, **_):
        # A real wallbox ends the transaction it was asked to stop.
        if self.transaction_id == transaction_id:
            await self.stop_transaction(Reason.remote)

    @after("RemoteStartTransaction")
    async def after_remote_start(self, id_tag, connector_id=1, **_):
        if self.transaction_id is None:
            await self.start_transaction(connector_id or 1, id_tag)

    async def start_transaction(self, connector, id_tag):
        start = await self.call(
            call.StartTransaction(connector_id=connector, id_tag=id_tag, meter_start=self.meter, timestamp=now())
        )
        self.transaction_id = start.transaction_id
        self.transactions.append(self.transaction_id)
        await status(self, connector, ChargePointStatus.charging)

    async def stop_transaction(self, reason):
        transaction_id, self.transaction_id = self.transaction_id, None
        self.meter += 500
        await self.call(
            call.StopTransaction(meter_stop=self.meter, timestamp=now(), transaction_id=transaction_id, reason=reason)
        )
        await status(self, 1, ChargePointStatus.finishing)


async def status(cp, connector, state):
    await cp.call(
        call.StatusNotification(
            connector_id=connector, error_code=ChargePointErrorCode.no_error, status=state
        )
    )


async def session(cp, args):
    """Boot, status, authorize, start, meter values (with signed data), stop."""
    result = {}
    boot = await cp.call(
        call.BootNotification(
            charge_point_model="Test Wallbox",
            charge_point_vendor="Ampwise Tests",
            firmware_version="1.2.3",
        )
    )
    result["boot"] = {"status": boot.status, "interval": boot.interval}
    await status(cp, 1, ChargePointStatus.available)
    auth = await cp.call(call.Authorize(id_tag=args.id_tag))
    result["authorize"] = auth.id_tag_info["status"]
    await status(cp, 1, ChargePointStatus.preparing)
    start = await cp.call(
        call.StartTransaction(connector_id=1, id_tag=args.id_tag, meter_start=1000, timestamp=now())
    )
    transaction_id = start.transaction_id
    result["start"] = {"transaction_id": transaction_id, "status": start.id_tag_info["status"]}
    await status(cp, 1, ChargePointStatus.charging)
    await cp.call(
        call.MeterValues(
            connector_id=1,
            transaction_id=transaction_id,
            meter_value=[
                MeterValue(
                    timestamp=now(),
                    sampled_value=[
                        SampledValue(value="3.345", measurand=Measurand.energy_active_import_register, unit=UnitOfMeasure.kwh),
                        SampledValue(value="7.1", measurand=Measurand.power_active_import, unit=UnitOfMeasure.kw),
                        SampledValue(value="10.2", measurand=Measurand.current_import, unit=UnitOfMeasure.a, phase=Phase.l1),
                        SampledValue(value="10.3", measurand=Measurand.current_import, unit=UnitOfMeasure.a, phase=Phase.l2),
                        SampledValue(value="10.4", measurand=Measurand.current_import, unit=UnitOfMeasure.a, phase=Phase.l3),
                        SampledValue(value=OCMF, format=ValueFormat.signed_data, context=ReadingContext.sample_periodic),
                    ],
                )
            ],
        )
    )
    if args.hold > 0:
        # Give the central system time to configure the wallbox (profiles, sample interval).
        await asyncio.sleep(args.hold)
    stop = await cp.call(
        call.StopTransaction(
            meter_stop=5345,
            timestamp=now(),
            transaction_id=transaction_id,
            reason=Reason.ev_disconnected,
            id_tag=args.id_tag,
            transaction_data=[
                MeterValue(
                    timestamp=now(),
                    sampled_value=[
                        SampledValue(value=OCMF, format=ValueFormat.signed_data, context=ReadingContext.transaction_end)
                    ],
                )
            ],
        )
    )
    result["stop"] = {"id_tag_info": stop.id_tag_info}
    await status(cp, 1, ChargePointStatus.available)
    result["ocmf"] = OCMF
    return result


async def boot_and_wait(cp, args):
    """Boot, report --connector-status (Available: no car), then stay connected for --hold seconds
    answering requests."""
    boot = await cp.call(
        call.BootNotification(charge_point_model="Test Wallbox", charge_point_vendor="Ampwise Tests")
    )
    await status(cp, 1, args.connector_status)
    await asyncio.sleep(args.hold)
    return {"boot": {"status": boot.status, "interval": boot.interval}}


async def heartbeat_before_boot(cp, args):
    """A charge point that was never accepted must boot first (errata: SecurityError)."""
    try:
        await cp.call(call.Heartbeat(), suppress=False)
        return {"heartbeat": "answered"}
    except Exception as error:  # the ocpp package raises the CALLERROR as an exception
        return {"heartbeat": type(error).__name__, "detail": str(error)}


async def charge_and_wait(cp, args):
    """Boot and start a transaction, then stay connected for --hold seconds: the central system may
    pause (RemoteStopTransaction) and resume (RemoteStartTransaction) it meanwhile."""
    await cp.call(
        call.BootNotification(charge_point_model="Test Wallbox", charge_point_vendor="Ampwise Tests")
    )
    await status(cp, 1, ChargePointStatus.preparing)
    await cp.start_transaction(1, args.id_tag)
    await asyncio.sleep(args.hold)
    if cp.transaction_id is not None:
        await cp.stop_transaction(Reason.local)
    return {"transactions": cp.transactions}


SCENARIOS = {
    "charge-and-wait": charge_and_wait,
    "session": session,
    "boot-and-wait": boot_and_wait,
    "heartbeat-before-boot": heartbeat_before_boot,
}


# Many charge points speak TLS 1.2 only. There a refused client certificate fails the handshake
# itself, with the server's alert; in TLS 1.3 the client has already sent its request by then.
TLS_VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}


def ssl_context(args):
    if not args.url.startswith("wss://"):
        return None
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=args.cafile)
    # Charge points check the chain; the test certificate names 127.0.0.1 and localhost.
    if args.client_cert:
        context.load_cert_chain(args.client_cert, args.client_key)
    if args.tls_max_version:
        context.maximum_version = TLS_VERSIONS[args.tls_max_version]
    return context


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--id", required=True)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="session")
    parser.add_argument("--password")
    parser.add_argument("--cafile")
    parser.add_argument("--client-cert")
    parser.add_argument("--client-key")
    parser.add_argument("--tls-max-version", choices=sorted(TLS_VERSIONS))
    parser.add_argument("--id-tag", default="04A2B3C4")
    parser.add_argument("--hold", type=float, default=0.0)
    parser.add_argument("--connector-status", default="Available", help="OCPP status after boot (Preparing: a car is plugged in)")
    parser.add_argument("--rate-units", default="Current,Power")
    parser.add_argument("--reject-profiles", action="store_true")
    args = parser.parse_args()

    headers = {}
    if args.password is not None:
        token = base64.b64encode(f"{args.id}:{args.password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    try:
        async with websockets.connect(
            args.url,
            subprotocols=["ocpp1.6"],
            additional_headers=headers,
            ssl=ssl_context(args),
            open_timeout=10,
        ) as ws:
            cp = ChargePoint(
                args.id,
                ws,
                response_timeout=10,
                rate_units=args.rate_units,
                reject_profiles=args.reject_profiles,
            )
            listener = asyncio.create_task(cp.start())
            scenario = asyncio.create_task(SCENARIOS[args.scenario](cp, args))
            await asyncio.wait({listener, scenario}, return_when=asyncio.FIRST_COMPLETED)
            if scenario.done():
                result = scenario.result()
                listener.cancel()
            else:
                # The central system closed the connection while the scenario was still running.
                scenario.cancel()
                result = {"closed_by_server": True, "close_code": ws.close_code}
            result["subprotocol"] = ws.subprotocol
            result["received"] = cp.received
    except websockets.exceptions.InvalidStatus as error:
        result = {"rejected": error.response.status_code}
    except websockets.exceptions.InvalidHandshake as error:
        # No HTTP answer at all: a plain ws:// client at a TLS-only port, or a TLS 1.3 server that
        # refused the client certificate after the client had already sent its request. The cause
        # says what came instead of the answer.
        cause = error.__cause__
        detail = f"{type(error).__name__}: {error}"
        if cause is not None:
            detail += f" (caused by {type(cause).__name__}: {cause})"
        result = {"connection_failed": detail}
    except (ssl.SSLError, ConnectionError, OSError) as error:
        result = {"connection_failed": f"{type(error).__name__}: {error}"}
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
