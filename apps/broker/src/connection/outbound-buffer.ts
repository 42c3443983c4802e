/**
 * The bytes one connection writes during one tick of the event loop, handed to its socket in a
 * single write when the tick ends: one system call for a burst of packets instead of one each.
 * A lone packet is passed through as is; a second one starts a slab that the rest is copied into.
 */
export class OutboundBuffer {
  private first: Buffer | null = null;
  private slab: Buffer | null = null;
  /** Bytes waiting. */
  length = 0;

  /** Appends `bytes`; with `patchAt` >= 0, the copy gets `patchValue` as a big-endian uint16 there (a packet identifier). */
  append(bytes: Buffer, patchAt = -1, patchValue = 0): void {
    if (this.length === 0 && patchAt < 0) {
      this.first = bytes;
      this.length = bytes.length;
      return;
    }
    const slab = this.room(bytes.length);
    bytes.copy(slab, this.length);
    if (patchAt >= 0) slab.writeUInt16BE(patchValue, this.length + patchAt);
    this.length += bytes.length;
  }

  /** Everything appended since the last take, as one Buffer (null when empty). */
  take(): Buffer | null {
    if (this.length === 0) return null;
    const out = this.slab ? this.slab.subarray(0, this.length) : this.first;
    this.first = null;
    this.slab = null;
    this.length = 0;
    return out;
  }

  clear(): void {
    this.first = null;
    this.slab = null;
    this.length = 0;
  }

  private room(extra: number): Buffer {
    const needed = this.length + extra;
    let slab = this.slab;
    if (slab && slab.length >= needed) return slab;
    const grown = Buffer.allocUnsafe(Math.max(needed * 2, 4096));
    if (slab) slab.copy(grown, 0, 0, this.length);
    else if (this.first) this.first.copy(grown, 0);
    this.first = null;
    this.slab = slab = grown;
    return slab;
  }
}

/** Connections with bytes waiting, flushed together once the current tick's work is done. */
const waiting: { flush(): void }[] = [];
let scheduled = false;

function flushWaiting(): void {
  scheduled = false;
  // A flush may not add to the list (writes after it schedule a new round), but be safe.
  for (let i = 0; i < waiting.length; i++) waiting[i]!.flush();
  if (waiting.length !== 0) waiting.length = 0;
}

/** Asks for `connection.flush()` once this loop iteration's I/O has been handled. Call once per batch (when its buffer was empty). */
export function scheduleFlush(connection: { flush(): void }): void {
  waiting.push(connection);
  if (!scheduled) {
    scheduled = true;
    // After this loop iteration's I/O callbacks: one write per connection for all of them.
    setImmediate(flushWaiting);
  }
}
