import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const brokerDir = fileURLToPath(new URL('../../', import.meta.url));

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export interface BrokerProcess {
  child: ChildProcess;
  /** Ends the process with a signal and waits for it to exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
  output(): string;
}

/**
 * Starts `node --import tsx src/main.ts` as its own process and waits until it listens.
 * Anonymous clients are accepted and, with a DATABASE_URL, the ACL defaults allow everything:
 * these processes serve durability tests, not access control (the env argument can override).
 */
export async function startBrokerProcess(env: Record<string, string>): Promise<BrokerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: brokerDir,
    env: { ...process.env, MQTT_HOST: '127.0.0.1', MQTT_WS_PORT: '-1', SYS_INTERVAL: '0', MQTT_ALLOW_ANONYMOUS: 'true', MQTT_ACL_DEFAULT_PUBLISH: 'allow', MQTT_ACL_DEFAULT_SUBSCRIBE: 'allow', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker did not start:\n${out}`)), 20000);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      if (out.includes('broker listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`broker exited with ${code}:\n${out}`));
    });
  });
  return {
    child,
    output: () => out,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
