import type { Server as NetServer } from 'node:net';
import type { Server as HttpServer } from 'node:http';

export interface Listener {
  readonly protocol: 'mqtt' | 'mqtts' | 'ws' | 'wss';
  readonly port: number;
  /** Stops accepting connections (open ones are closed by the broker). */
  close(): Promise<void>;
}

export function listen(server: NetServer | HttpServer, protocol: Listener['protocol'], host: string, port: number): Promise<Listener> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      const address = server.address();
      const actual = typeof address === 'object' && address ? address.port : port;
      resolve({
        protocol,
        port: actual,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
