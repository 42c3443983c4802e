import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { hasMosquittoClients, runMosquitto, startMosquittoSub } from '../helpers/mosquitto.js';
import { closeAllClients, collect, connectClient, waitFor } from '../helpers/clients.js';

// mosquitto-clients are a test dependency: .ci/run installs them. Fail loudly rather than skip.
if (!hasMosquittoClients()) throw new Error('mosquitto_pub/mosquitto_sub not found: apt-get install mosquitto-clients');

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker();
});
afterAll(async () => {
  await closeAllClients();
  await broker.close();
});

const messageLines = (stdout: string): string[] => stdout.split('\n').filter((l) => l !== '');

describe('interop with mosquitto_pub / mosquitto_sub', () => {
  for (const version of ['mqttv311', 'mqttv5', 'mqttv31'] as const) {
    it(`mosquitto_pub -> mosquitto_sub at QoS 0, 1, 2 (${version})`, async () => {
      const sub = startMosquittoSub(['-h', '127.0.0.1', '-p', String(broker.port), '-V', version, '-t', `interop/${version}/#`, '-q', '2', '-v', '-C', '3', '-i', `sub-${version}`]);
      const session = (): ReturnType<typeof broker.broker.context.sessions.get> => broker.broker.context.sessions.get(`sub-${version}`);
      await waitFor(() => session()?.subscriptions.size === 1, 5000, 'mosquitto_sub subscribed');
      for (const qos of [0, 1, 2]) {
        const pub = await runMosquitto('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(broker.port), '-V', version, '-t', `interop/${version}/q${qos}`, '-m', `hello ${qos}`, '-q', String(qos)]);
        expect(pub.code, pub.stderr).toBe(0);
      }
      const result = await sub.done;
      expect(result.code).toBe(0);
      expect(messageLines(result.stdout)).toEqual([`interop/${version}/q0 hello 0`, `interop/${version}/q1 hello 1`, `interop/${version}/q2 hello 2`]);
    });
  }

  it('mosquitto_sub receives a retained message published by the mqtt package', async () => {
    const pub = await connectClient(broker.url, { protocolVersion: 4 });
    await pub.publishAsync('interop/retained', 'kept', { qos: 1, retain: true });
    const result = await runMosquitto('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(broker.port), '-t', 'interop/retained', '-C', '1', '-v', '-W', '5']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('interop/retained kept');
  });

  it('an mqtt 5 client receives user properties and content type sent by mosquitto_pub', async () => {
    const client = await connectClient(broker.url, { protocolVersion: 5 });
    const received = collect(client);
    await client.subscribeAsync('interop/props', { qos: 1 });
    const pub = await runMosquitto('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(broker.port), '-V', 'mqttv5', '-t', 'interop/props', '-m', '{}', '-q', '1', '-D', 'publish', 'user-property', 'site', 'north', '-D', 'publish', 'content-type', 'application/json']);
    expect(pub.code, pub.stderr).toBe(0);
    await waitFor(() => received.length === 1);
    expect(received[0]!.properties?.userProperties).toEqual({ site: 'north' });
    expect(received[0]!.properties?.contentType).toBe('application/json');
  });

  it('mosquitto_pub is refused when it publishes to $SYS with MQTT 5 QoS 1 (not authorized)', async () => {
    const watcher = await connectClient(broker.url);
    const received = collect(watcher);
    await watcher.subscribeAsync('$SYS/#');
    const pub = await runMosquitto('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(broker.port), '-V', 'mqttv5', '-t', '$SYS/broker/fake', '-m', 'x', '-q', '1', '-d']);
    expect(pub.stdout + pub.stderr).toMatch(/PUBACK.*rc=135|not authori[sz]ed/i);
    await new Promise((r) => setTimeout(r, 200));
    expect(received.filter((p) => p.topic === '$SYS/broker/fake')).toEqual([]);
  });
});
