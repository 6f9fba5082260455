// test/runtime/heap.test.ts
// HeapTrim (runtime/heap.ts) collects once a heap has outgrown its slack, compacts what it
// freed, and leaves a heap that has not grown alone.
import * as assert from "assert";
import { getHeapStatistics } from "v8";
import { HeapTrim } from "../../runtime/heap";

describe("runtime/heap", () => {
  it("collects once the heap has grown past the slack, and gives the pages back", () => {
    const start = getHeapStatistics().total_heap_size;
    const trim = new HeapTrim(4);
    assert.strictEqual(trim.maybeCollect(), false, "nothing grew yet");
    // Old-generation garbage spread over many pages, with a few survivors on each, until the heap
    // is well past the slack: 4 MB, or a quarter of the heap when that is more (after the rest of
    // the suite, this process's heap can be a few hundred MB, so a fixed amount may not reach it).
    const past = start + Math.max(4 * 1048576, start / 4) + 16 * 1048576;
    let held: unknown[][] = [];
    const survivors: unknown[] = [];
    for (let round = 0; round < 64 && (round < 8 || getHeapStatistics().total_heap_size < past); round++) {
      const batch: unknown[] = [];
      for (let i = 0; i < 100_000; i++) batch.push({ i, s: `x${i}` });
      survivors.push(batch[round % 100_000]);
      held.push(batch);
    }
    const grown = getHeapStatistics().total_heap_size;
    assert.ok(grown >= past, `the heap grew to ${(grown / 1048576).toFixed(1)} MB, past ${(past / 1048576).toFixed(1)}`);
    held = [];
    assert.strictEqual(trim.maybeCollect(), true);
    const after = getHeapStatistics().total_heap_size;
    assert.ok(after < grown - 8 * 1048576, `heap ${(grown / 1048576).toFixed(1)} -> ${(after / 1048576).toFixed(1)} MB`);
    assert.strictEqual(trim.maybeCollect(), false, "just collected");
    assert.ok(survivors.length >= 8);
  });
});
