// A central system on the npm `ocpp-rpc` package in strict mode (every request and response checked
// against the OCPP 1.6 JSON schemas), with the same answers as Ampwise's handlers. It is a peer for
// Ampwise's OCPP benchmark (tests/bench/run_ocpp_bench.sh), written as a user of the package would.
//
//     node central_system.js --port 19530
'use strict';

const { RPCServer } = require('ocpp-rpc');

function parsePort(argv) {
    const index = argv.indexOf('--port');
    const port = index >= 0 ? Number(argv[index + 1]) : NaN;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
        console.error('central_system.js: --port must be a TCP port (1 to 65535)');
        process.exit(2);
    }
    return port;
}

// Ampwise answers BootNotification with its configured heartbeat interval (default 300 s).
const HEARTBEAT_INTERVAL_S = 300;

async function main() {
    const port = parsePort(process.argv);
    const server = new RPCServer({ protocols: ['ocpp1.6'], strictMode: true });

    server.on('client', (client) => {
        client.handle('BootNotification', () => ({
            status: 'Accepted',
            interval: HEARTBEAT_INTERVAL_S,
            currentTime: new Date().toISOString(),
        }));
        client.handle('Heartbeat', () => ({ currentTime: new Date().toISOString() }));
        client.handle('StatusNotification', () => ({}));
        client.handle('MeterValues', () => ({}));
    });

    await server.listen(port, '127.0.0.1');
    console.error(`ocpp-rpc central system listening on 127.0.0.1:${port}`);

    const stop = async () => {
        await server.close({ force: true });
        process.exit(0);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
}

main().catch((error) => {
    console.error('central_system.js:', error);
    process.exit(1);
});
