import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { waitFor } from '../helpers/clients.js';
import { closeLifecycleClients, connectV, rawClient } from '../helpers/lifecycle.js';

/**
 * Graceful shutdown: broker.close() tells 5.0 clients why (DISCONNECT 0x8B Server shutting down),
 * closes 3.1.1 clients, and stops accepting connections. Every test has its own broker.
 */

const brokers: TestBroker[] = [];
async function fresh(): Promise<TestBroker> {
  const b = await startTestBroker();
  brokers.push(b);
  return b;
}
afterEach(async () => {
  await closeLifecycleClients();
  await Promise.all(brokers.splice(0).map((b) => b.close()));
});

/** Resolves with the error code of a TCP connection attempt, or 'connected'. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

describe('graceful shutdown', () => {
  it('(3.14.2.1) broker.close() sends DISCONNECT 0x8B (Server shutting down) to 5.0 clients, then closes them', async () => {
    const b = await fresh();
    const raw = rawClient(b.port, 5);
    expect(await raw.connect({ protocolVersion: 5, clientId: 'shutdown-raw5' })).toMatchObject({ reasonCode: 0 });
    const js = await connectV(b.url, { clientId: 'shutdown-js5' });
    await b.close();
    expect(await raw.waitClosed()).toBe(true);
    expect(raw.packets).toMatchObject([{ cmd: 'disconnect', reasonCode: 0x8b }]);
    await waitFor(() => js.isClosed(), 5000, 'MQTT.js client closed');
    expect(js.disconnects.map((d) => d.reasonCode)).toEqual([0x8b]);
  });

  it('(3.14.2.1) broker.close() sends DISCONNECT 0x8B to 5.0 clients over WebSocket too', async () => {
    const b = await fresh();
    const ws = await connectV(b.wsUrl, { clientId: 'shutdown-ws5' });
    const tcp = await connectV(b.url, { clientId: 'shutdown-tcp5' });
    await b.close();
    await waitFor(() => ws.isClosed() && tcp.isClosed(), 5000, 'clients closed');
    expect(ws.disconnects.map((d) => d.reasonCode)).toEqual([0x8b]);
    expect(tcp.disconnects.map((d) => d.reasonCode)).toEqual([0x8b]);
  });

  it('broker.close() closes 3.1.1 and 3.1 clients without a packet', async () => {
    const b = await fresh();
    const v4 = rawClient(b.port, 4);
    const v3 = rawClient(b.port, 3);
    expect(await v4.connect({ protocolVersion: 4, clientId: 'shutdown-311' })).toMatchObject({ returnCode: 0 });
    expect(await v3.connect({ protocolVersion: 3, clientId: 'shutdown-31' })).toMatchObject({ returnCode: 0 });
    await b.close();
    expect(await v4.waitClosed()).toBe(true);
    expect(await v3.waitClosed()).toBe(true);
    expect(v4.packets).toEqual([]);
    expect(v3.packets).toEqual([]);
  });

  it('[MQTT-3.14.0-1] a connection that has not sent CONNECT yet is closed without a DISCONNECT', async () => {
    const b = await fresh();
    const pending = rawClient(b.port, 5);
    await pending.write(Buffer.alloc(0));
    await waitFor(() => b.broker.context.metrics.socketsOpen === 1, 5000, 'socket accepted');
    await b.close();
    expect(await pending.waitClosed()).toBe(true);
    expect(pending.packets).toEqual([]);
  });

  it('after broker.close() no new connection is accepted', async () => {
    const b = await fresh();
    expect(await tryConnect(b.port)).toBe('connected');
    await b.close();
    expect(await tryConnect(b.port)).toBe('ECONNREFUSED');
  });

  it('broker.close() resolves once every client is gone, and a second call is harmless', async () => {
    const b = await fresh();
    for (let i = 0; i < 5; i++) await connectV(b.url, { clientId: `shutdown-many-${i}`, protocolVersion: i % 2 === 0 ? 5 : 4 });
    await b.close();
    expect(b.broker.context.metrics.socketsOpen).toBe(0);
    expect(b.broker.context.sessions.connectedCount).toBe(0);
    await b.close();
  });
});
