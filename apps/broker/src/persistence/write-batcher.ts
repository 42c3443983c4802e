/** How a batch is made durable: one transaction for all of it. */
export type CommitBatch<W> = (batch: W[]) => Promise<void>;

export interface WriteBatcherOptions {
  /** Longest a write waits for companions before its batch is committed, in milliseconds. */
  batchMs: number;
  /** A batch is committed as soon as it holds this many writes. */
  batchMax: number;
  /**
   * After a failed commit: whether the store is unreachable (then the batch is kept and retried,
   * in order, until it commits) rather than the batch being at fault (then it is rejected).
   * Without it, every failed batch is rejected.
   */
  isOutage?: (error: unknown) => Promise<boolean>;
  /** Told when the store becomes unreachable (error) and reachable again (undefined). */
  onOutage?: (error: unknown | undefined) => void;
  /** Longest pause between retries while the store is unreachable, in milliseconds (default 2000). */
  maxRetryMs?: number;
}

interface Pending<W> {
  write: W;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: writes are queued, committed together (by size or after batchMs), one batch at a
 * time and in order; each write's promise resolves after the COMMIT of its batch (or rejects with
 * the batch's error). Writes arriving while a batch commits form the next batch.
 */
export class WriteBatcher<W> {
  private pending: Pending<W>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private committing: Promise<void> | undefined;
  private closed = false;
  /** The store is unreachable: a batch is being retried. */
  degraded = false;
  /** Batches committed and writes in them (for tests, logs and the bench). */
  batches = 0;
  writes = 0;
  /** Told after each committed batch: its size and how long its COMMIT took (metrics). */
  onCommitted: ((size: number, seconds: number) => void) | undefined;

  constructor(
    private readonly commit: CommitBatch<W>,
    private readonly options: WriteBatcherOptions,
  ) {}

  get size(): number {
    return this.pending.length;
  }

  enqueue(write: W): Promise<void> {
    if (this.closed) return Promise.reject(new Error('write batcher closed'));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ write, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.committing) return; // the running commit picks the next batch up when it ends
    if (this.pending.length >= this.options.batchMax) {
      this.start();
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.start();
      }, this.options.batchMs);
    }
  }

  private start(): void {
    if (this.committing || this.pending.length === 0) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.pending.splice(0, this.options.batchMax);
    this.committing = this.run(batch).finally(() => {
      this.committing = undefined;
      // Writes that came in during that commit have waited for it already: they go now, as the
      // next batch, instead of waiting batchMs more (natural group commit under load).
      if (this.pending.length > 0) this.start();
    });
  }

  private async run(batch: Pending<W>[]): Promise<void> {
    let retryMs = 50;
    let refusals = 0;
    for (;;) {
      try {
        const started = performance.now();
        await this.commit(batch.map((p) => p.write));
        this.batches++;
        this.writes += batch.length;
        this.onCommitted?.(batch.length, (performance.now() - started) / 1000);
        if (this.degraded) {
          this.degraded = false;
          this.options.onOutage?.(undefined);
        }
        for (const p of batch) p.resolve();
        return;
      } catch (error) {
        // An unreachable store: keep the batch (and the order of everything behind it), retry.
        // A store that answers but refused the batch gets a few more tries (a server shutting
        // down answers a moment longer than it commits), then the batch is rejected.
        if (this.options.isOutage) {
          const outage = await this.options.isOutage(error).catch(() => true);
          if (outage || ++refusals < 3) {
            if (outage && !this.degraded) {
              this.degraded = true;
              this.options.onOutage?.(error);
            }
            await new Promise((r) => setTimeout(r, retryMs));
            retryMs = Math.min(retryMs * 2, this.options.maxRetryMs ?? 2000);
            continue;
          }
        }
        for (const p of batch) p.reject(error);
        return;
      }
    }
  }

  /** Commits everything queued so far. */
  async flush(): Promise<void> {
    while (this.pending.length > 0 || this.committing) {
      if (this.committing) await this.committing;
      else this.start();
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }
}
