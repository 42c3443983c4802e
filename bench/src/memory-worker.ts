/**
 * Child process of the memory scenario: holds up to a few thousand idle connections (one process
 * has a limited number of file descriptors). Parent -> child: { open: {...} } then { close: true };
 * child -> parent: { opened, failed } and then { closedEarly } when done.
 */
import { closeAll, openClient, openClients, type RawClient } from './raw-client.js';

interface OpenRequest {
  host: string;
  port: number;
  count: number;
  prefix: string;
  localAddresses: string[];
  concurrency: number;
}

let clients: RawClient[] = [];
let closedEarly = 0;
let closing = false;

process.on('message', (message: { open?: OpenRequest; close?: boolean }) => {
  if (message.open) {
    const request = message.open;
    let failed = 0;
    void openClients(request.count, request.concurrency, (i) =>
      openClient(
        { host: request.host, port: request.port },
        { clientId: `${request.prefix}-${i}`, keepAlive: 0, localAddress: request.localAddresses[i % request.localAddresses.length]!, timeoutMs: 60_000 },
      ).catch(() => {
        failed++;
        return null as unknown as RawClient;
      }),
    ).then((opened) => {
      clients = opened.filter(Boolean);
      for (const c of clients) void c.closed.then(() => (closing ? undefined : closedEarly++));
      process.send?.({ opened: clients.length, failed });
    });
  }
  if (message.close) {
    const early = closedEarly;
    closing = true;
    void closeAll(clients).then(() => {
      process.send?.({ closedEarly: early });
      process.exit(0);
    });
  }
});
