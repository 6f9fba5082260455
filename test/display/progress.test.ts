import assert from "node:assert/strict";
import { formatInterval, formatProgress, formatRate, progress } from "../../runtime/display/progress";
import { flushDisplays } from "../../runtime/display/sink";
import { captureDisplays } from "./capture";
import { torch } from "../../runtime/tensor/index";
import { DataLoader } from "../../runtime/tensor/data/dataloader";
import { TensorDataset } from "../../runtime/tensor/data/dataset";

describe("progress", () => {
  it("formats like tqdm: percent, bar, count, elapsed<remaining, rate, postfix", () => {
    assert.equal(formatProgress(50, 200, 10, { desc: "epoch 1", postfix: { loss: 0.123456 } }),
      "epoch 1:  25%|█████               | 50/200 [00:10<00:30, 5.00it/s, loss=0.1235]");
    assert.equal(formatProgress(200, 200, 4), "100%|████████████████████| 200/200 [00:04<00:00, 50.00it/s]");
    assert.equal(formatProgress(33, 100, 1, { ncols: 10 }), " 33%|███▎      | 33/100 [00:01<00:02, 33.00it/s]");
    assert.equal(formatProgress(7, undefined, 2, { unit: "batch" }), "7batch [00:02, 3.50batch/s]");
    assert.equal(formatProgress(0, 10, 0), "  0%|                    | 0/10 [00:00<?, ?it/s]");
  });

  it("formats intervals and slow rates", () => {
    assert.equal(formatInterval(65), "01:05");
    assert.equal(formatInterval(3725), "1:02:05");
    assert.equal(formatRate(0.4), "2.50s/it");
    assert.equal(formatRate(1234.567, "img"), "1234.57img/s");
  });

  it("wraps arrays, numbers, generators and async iterables; total from length", async () => {
    const quiet = { display: false };
    assert.deepEqual([...progress([1, 2, 3], quiet)], [1, 2, 3]);
    assert.deepEqual([...progress(3, quiet)], [0, 1, 2]);
    const gen = function* () { yield "a"; yield "b"; };
    const g = progress(gen(), quiet);
    assert.deepEqual([...g], ["a", "b"]);
    assert.equal(g.total, undefined);
    const loader = { length: 2, async *[Symbol.asyncIterator]() { yield 10; yield 20; } };
    const out: number[] = [];
    const bar = progress(loader, quiet);
    for await (const x of bar) out.push(x);
    assert.deepEqual(out, [10, 20]);
    assert.equal(bar.total, 2);
    assert.equal(bar.n, 2);
    assert.throws(() => [...progress(loader, quiet)], /iterate it with for await/);
  });

  it("in a kernel: one display, throttled updates, the final state sent when the loop ends", () => {
    const cap = captureDisplays();
    try {
      const bar = progress(1000, { desc: "train", throttleMs: 10_000 });
      for (const i of bar) if (i % 100 === 0) bar.setPostfix({ loss: 1 / (i + 1) });
      const mine = cap.sent.filter((s) => s.opts.displayId === bar.displayId);
      assert.equal(mine[0].opts.update, undefined);
      assert.ok(mine.length <= 3, `${mine.length} sends`);
      const last = mine[mine.length - 1];
      assert.equal(last.opts.update, true);
      assert.match(last.bundle["text/plain"] as string, /^train: 100%\|█{20}\| 1000\/1000 \[.*loss=0\.00111\]$/);
      assert.match(last.bundle["text/html"] as string, /<progress value="1000" max="1000"/);
    } finally { cap.restore(); }
  });

  it("break stops the bar where it was and marks it stopped", () => {
    const cap = captureDisplays();
    try {
      const bar = progress([1, 2, 3, 4], { throttleMs: 10_000 });
      for (const x of bar) if (x === 2) break;
      flushDisplays();
      const last = cap.sent.filter((s) => s.opts.displayId === bar.displayId).pop()!;
      assert.match(last.bundle["text/plain"] as string, /^ 25%.* 1\/4 /);
      assert.match(last.bundle["text/html"] as string, /\(stopped\)/);
    } finally { cap.restore(); }
  });

  it("without a rich display: carriage-return lines on a stream, a newline at the end", () => {
    let out = "";
    const bar = progress(3, { stream: { write: (s: string) => { out += s; } }, throttleMs: 0 });
    for (const _ of bar) { /* work */ }
    const lines = out.split("\r").filter(Boolean);
    assert.ok(lines.length >= 3);
    assert.match(lines[lines.length - 1], /^100%\|█{20}\| 3\/3 \[00:00<00:00, .*it\/s\]\n$/);
  });

  it("a DataLoader: total is its number of batches, batches pass through unchanged", () => {
    const ds = new TensorDataset(torch.rand([10, 3]), torch.tensor([0, 1, 0, 1, 0, 1, 0, 1, 0, 1], { dtype: "int32" }));
    const bar = progress(new DataLoader(ds, { batchSize: 4 }), { display: false });
    assert.equal(bar.total, 3);
    const shapes = [...bar].map((b) => (b as { shape: readonly number[] }[])[0].shape[0]);
    assert.deepEqual(shapes, [4, 4, 2]);
    assert.match(String(bar), /^100%.* 3\/3 /);
  });

  it("a manual bar: update(n) and close()", () => {
    const bar = progress({ total: 10, display: false });
    bar.update(4).update(6).close();
    assert.match(String(bar), /^100%.* 10\/10 /);
  });
});
