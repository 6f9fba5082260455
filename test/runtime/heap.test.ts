// test/runtime/heap.test.ts
// HeapTrim (runtime/heap.ts) collects once a heap has outgrown its slack, compacts what it
// freed, and leaves a heap that has not grown alone.
import * as assert from "assert";
import { getHeapStatistics } from "v8";
import { HeapTrim } from "../../runtime/heap";

describe("runtime/heap", () => {
  it("collects once the heap has grown past the slack, and gives the pages back", () => {
    const trim = new HeapTrim(4);
    assert.strictEqual(trim.maybeCollect(), false, "nothing grew yet");
    // Old-generation garbage spread over many pages, with a few survivors on each.
    let held: unknown[][] = [];
    const survivors: unknown[] = [];
    for (let round = 0; round < 8; round++) {
      const batch: unknown[] = [];
      for (let i = 0; i < 100_000; i++) batch.push({ i, s: `x${i}` });
      survivors.push(batch[round]);
      held.push(batch);
    }
    const grown = getHeapStatistics().total_heap_size;
    held = [];
    assert.strictEqual(trim.maybeCollect(), true);
    const after = getHeapStatistics().total_heap_size;
    assert.ok(after < grown - 8 * 1048576, `heap ${(grown / 1048576).toFixed(1)} -> ${(after / 1048576).toFixed(1)} MB`);
    assert.strictEqual(trim.maybeCollect(), false, "just collected");
    assert.strictEqual(survivors.length, 8);
  });
});
