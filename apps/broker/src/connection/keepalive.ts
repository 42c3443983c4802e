/**
 * Keep Alive ([MQTT-3.1.2-22]): if no packet arrives within 1.5 times the Keep Alive, the
 * connection is closed. Activity only stamps a time; one timer re-arms itself for what remains,
 * so a busy connection costs no timer churn per packet.
 */
export class KeepAliveMonitor {
  private lastActivity: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly limitMs: number;

  constructor(
    keepAliveSeconds: number,
    private readonly onTimeout: () => void,
    private readonly now: () => number = Date.now,
  ) {
    this.limitMs = keepAliveSeconds * 1500;
    this.lastActivity = this.now();
    if (keepAliveSeconds > 0) this.arm(this.limitMs);
  }

  touch(): void {
    this.lastActivity = this.now();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(delay: number): void {
    this.timer = setTimeout(() => {
      const idle = this.now() - this.lastActivity;
      if (idle >= this.limitMs) {
        this.timer = undefined;
        this.onTimeout();
      } else {
        this.arm(this.limitMs - idle);
      }
    }, delay);
    this.timer.unref();
  }
}
