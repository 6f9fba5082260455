// kernel/io/streams.ts
// Stream coalescing on the socket thread: 10,000 console.log calls become a few stream messages,
// while the first line of a slow loop still goes out at once (the first chunk after a quiet period
// flushes immediately). Anything else published first flushes what is held (Outbox.beforePublish).
import type { Outbox, Req } from "./outbox";

const FLUSH_MS = 50;            // coalesce stream text for at most this long...
const FLUSH_BYTES = 64 * 1024;  // ...or this much

export class StreamCoalescer {
  private buf: { seq: number; name: string; chunks: string[]; bytes: number } | undefined;
  private lastFlush = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly outbox: Outbox, private readonly parentOf: (seq: number) => Req) {}

  add(seq: number, name: string, text: string): void {
    if (this.buf && (this.buf.seq !== seq || this.buf.name !== name)) this.flush();
    const b = (this.buf ??= { seq, name, chunks: [], bytes: 0 });
    b.chunks.push(text); b.bytes += text.length;
    if (b.bytes >= FLUSH_BYTES) return this.flush();
    this.timer ??= setTimeout(() => this.flush(), Math.max(0, this.lastFlush + FLUSH_MS - Date.now()));
  }

  flush(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    if (!this.buf) return;
    const b = this.buf; this.buf = undefined; this.lastFlush = Date.now();
    const text = b.chunks.length === 1 ? b.chunks[0] : b.chunks.join("");
    this.outbox.sendIopub(this.parentOf(b.seq), "stream", { name: b.name, text });
  }
}
