"""A central system on the PyPI `ocpp` package (on `websockets`), with the same answers as Ampwise's
handlers. It is a peer for Ampwise's OCPP benchmark (tests/bench/run_ocpp_bench.sh), written as a user
of the package would: the package's routing, its JSON-schema validation (on by default) and the
`websockets` server with its default settings.

    python central_system.py --port 19531
"""

import argparse
import asyncio
import signal
import sys
from datetime import datetime, timezone

import websockets
from ocpp.routing import on
from ocpp.v16 import ChargePoint as OcppChargePoint
from ocpp.v16 import call_result
from ocpp.v16.enums import Action, RegistrationStatus

# Ampwise answers BootNotification with its configured heartbeat interval (default 300 s).
HEARTBEAT_INTERVAL_S = 300


def now():
    return datetime.now(timezone.utc).isoformat()


class ChargePoint(OcppChargePoint):
    @on(Action.boot_notification)
    def on_boot_notification(self, charge_point_vendor, charge_point_model, **kwargs):
        return call_result.BootNotification(
            current_time=now(),
            interval=HEARTBEAT_INTERVAL_S,
            status=RegistrationStatus.accepted,
        )

    @on(Action.heartbeat)
    def on_heartbeat(self):
        return call_result.Heartbeat(current_time=now())

    @on(Action.status_notification)
    def on_status_notification(self, connector_id, error_code, status, **kwargs):
        return call_result.StatusNotification()

    @on(Action.meter_values)
    def on_meter_values(self, connector_id, meter_value, **kwargs):
        return call_result.MeterValues()


async def on_connect(websocket):
    if websocket.subprotocol != "ocpp1.6":
        await websocket.close(code=1002, reason="ocpp1.6 subprotocol required")
        return
    charge_point_id = websocket.request.path.rstrip("/").rsplit("/", 1)[-1]
    try:
        await ChargePoint(charge_point_id, websocket).start()
    except websockets.ConnectionClosed:
        pass


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True, help="TCP port on 127.0.0.1")
    args = parser.parse_args()
    if not 1 <= args.port <= 65535:
        parser.error("--port must be a TCP port (1 to 65535)")

    stop = asyncio.get_running_loop().create_future()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set_result, None)
    async with websockets.serve(on_connect, "127.0.0.1", args.port, subprotocols=["ocpp1.6"]):
        print(f"ocpp central system listening on 127.0.0.1:{args.port}", file=sys.stderr)
        await stop


if __name__ == "__main__":
    asyncio.run(main())
