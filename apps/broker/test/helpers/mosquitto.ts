import { spawn, spawnSync } from 'node:child_process';

/** Whether Debian's mosquitto-clients are installed (`.ci/run` installs them). */
export function hasMosquittoClients(): boolean {
  return spawnSync('mosquitto_pub', ['--help']).error === undefined;
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs mosquitto_pub / mosquitto_sub to completion (use -C / -W to bound mosquitto_sub). */
export function runMosquitto(command: 'mosquitto_pub' | 'mosquitto_sub', args: string[], timeoutMs = 10000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Starts mosquitto_sub in the background. Its stdout is block-buffered on a pipe, so readiness
 * is not read from its output: callers wait for the broker to show the subscription.
 */
export function startMosquittoSub(args: string[]): { done: Promise<CommandResult>; kill(): void } {
  const child = spawn('mosquitto_sub', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CommandResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { done, kill: () => child.kill('SIGTERM') };
}
