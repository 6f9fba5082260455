// runtime/heap.ts
// Gives heap memory back between cells (issue 10: flat memory). V8 sizes a heap for throughput:
// a kernel's threads, which make a little garbage with every cell, kept growing their old
// generations (over 1,300 small cells the main thread's grew 11 -> 18 MB and the syntax worker's
// 23 -> 32 MB, with ~13 and ~20 MB live), and a long session paid for it in resident memory. A
// full collection when a thread's heap has grown by more than a slack since the last one, run
// where nothing waits for the thread (the kernel: when its request queue is empty; the syntax
// worker: after its reply), keeps the heap near what is live. It compacts: a plain full collection
// freed the garbage but kept the pages it was spread over (the worker's old generation grew 14 ->
// 27 MB with 11 MB live; compacted, it stays at its live size).
import { getHeapStatistics, setFlagsFromString } from "v8";
import { runInNewContext } from "vm";

let gc: (() => void) | undefined;

/** V8's gc(), from a context of its own: cells never see a `gc` global. */
function collector(): () => void {
  if (!gc) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  return gc;
}

export class HeapTrim {
  private base = getHeapStatistics().total_heap_size;

  /** `slackMb`: how much the heap may grow past its size after the last collection (or a quarter
   * of that size, when more: a session holding a large heap is not collected after every cell). */
  constructor(private readonly slackMb: number) {}

  /** A compacting full collection when the heap has outgrown its slack; says whether it ran. */
  maybeCollect(): boolean {
    const slack = Math.max(this.slackMb * 1048576, this.base / 4);
    if (getHeapStatistics().total_heap_size < this.base + slack) return false;
    const gc = collector();
    // V8 reads the flag at each collection: on for this one only.
    setFlagsFromString("--compact-on-every-full-gc");
    try { gc(); } finally { setFlagsFromString("--no-compact-on-every-full-gc"); }
    this.base = getHeapStatistics().total_heap_size;
    return true;
  }
}
