import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // Linux USER_HZ

/** CPU seconds (user + system) used so far by a process, from /proc; 0 when unreadable. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Resident set size in bytes, from /proc; 0 when unreadable. */
export function processRssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU use of the broker and of this load generator over a measured window, in % of one core. */
export class CpuMeter {
  private readonly brokerStart: number;
  private readonly selfStart = process.cpuUsage();
  private readonly started = process.hrtime.bigint();

  constructor(private readonly brokerPid: number) {
    this.brokerStart = processCpuSeconds(brokerPid);
  }

  read(): { seconds: number; brokerCpuPercent: number; generatorCpuPercent: number } {
    const seconds = Number(process.hrtime.bigint() - this.started) / 1e9;
    const self = process.cpuUsage(this.selfStart);
    return {
      seconds,
      brokerCpuPercent: Math.round(((processCpuSeconds(this.brokerPid) - this.brokerStart) / seconds) * 100),
      generatorCpuPercent: Math.round(((self.user + self.system) / 1e6 / seconds) * 100),
    };
  }
}
