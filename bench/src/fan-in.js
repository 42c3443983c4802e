import mqtt from 'mqtt';
function connect(url, clientId) {
    return new Promise((resolve, reject) => {
        const client = mqtt.connect(url, { clientId, reconnectPeriod: 0, protocolVersion: 4, clean: true });
        client.once('connect', () => resolve(client));
        client.once('error', reject);
    });
}
/**
 * N publishers -> 1 subscriber on a wildcard filter. Publishers send as fast as the broker
 * accepts (QoS 0: until the socket buffer is full, then wait for drain); the figure is messages
 * received per second by the subscriber over the measured window.
 */
export async function runFanIn(options) {
    const subscriber = await connect(options.url, `bench-sub-${process.pid}`);
    let received = 0;
    subscriber.on('message', () => {
        received++;
    });
    await subscriber.subscribeAsync('bench/+/data', { qos: options.qos });
    const publishers = await Promise.all(Array.from({ length: options.publishers }, (_, i) => connect(options.url, `bench-pub-${process.pid}-${i}`)));
    const payload = Buffer.alloc(options.payloadBytes, 0x61);
    let sent = 0;
    let running = true;
    const pump = async (client, index) => {
        const topic = `bench/${index}/data`;
        while (running) {
            if (options.qos === 0) {
                for (let i = 0; i < options.window && running; i++) {
                    client.publish(topic, payload, { qos: 0 });
                    sent++;
                }
                // Let the socket drain and the event loop breathe.
                await new Promise((resolve) => setImmediate(resolve));
                const stream = client.stream;
                while (running && stream.writableLength > 64 * 1024)
                    await new Promise((r) => setTimeout(r, 1));
            }
            else {
                const batch = [];
                for (let i = 0; i < options.window && running; i++) {
                    batch.push(client.publishAsync(topic, payload, { qos: options.qos }));
                    sent++;
                }
                await Promise.all(batch);
            }
        }
    };
    const warmupMs = Math.min(1000, options.durationMs / 5);
    const pumps = publishers.map((client, i) => pump(client, i));
    await new Promise((r) => setTimeout(r, warmupMs));
    const startReceived = received;
    const start = process.hrtime.bigint();
    await new Promise((r) => setTimeout(r, options.durationMs));
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const measured = received - startReceived;
    running = false;
    await Promise.all(pumps);
    await Promise.all([...publishers, subscriber].map((c) => c.endAsync(true)));
    return {
        scenario: `${options.publishers} publishers -> 1 wildcard subscriber`,
        publishers: options.publishers,
        qos: options.qos,
        payloadBytes: options.payloadBytes,
        seconds: Number(seconds.toFixed(2)),
        sent,
        received: measured,
        receivedPerSecond: Math.round(measured / seconds),
    };
}
