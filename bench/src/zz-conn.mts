import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { startOurBroker } from './brokers.js';
import { connectPacket, DISCONNECT } from './wire.js';
const b = await startOurBroker();
const phases: number[][] = [];
for (let round = 0; round < 3; round++) {
  let next = 0; const N = 1000;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 50 }, async () => {
    while (next < N) {
      const i = next++;
      await new Promise<void>((res) => {
        const s0 = performance.now();
        const s = net.connect({ host: '127.0.0.1', port: b.target.port, noDelay: true });
        let c = 0;
        s.once('connect', () => { c = performance.now(); s.write(connectPacket({ clientId: `x${round}-${i}` })); });
        s.once('data', () => { phases.push([c - s0, performance.now() - c]); s.write(DISCONNECT); res(); });
        s.on('error', () => res());
      });
    }
  }));
  console.log('round', round, Math.round(N / ((performance.now() - t0) / 1000)), '/s');
}
phases.sort((a, b) => a[1] - b[1]);
const avg = (k: number) => phases.reduce((x, p) => x + p[k], 0) / phases.length;
console.log('tcp connect avg', avg(0).toFixed(2), 'connect->connack avg', avg(1).toFixed(2), 'p50', phases[phases.length >> 1][1].toFixed(2));
await b.stop();
