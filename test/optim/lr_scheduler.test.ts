import assert from "node:assert/strict";
import {
  StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, OneCycleLR, ReduceLROnPlateau,
} from "../../runtime/tensor/optim/lr_scheduler";

const fakeOpt = (lr: number, extra: Record<string, unknown> = { momentum: 0.9 }) => ({ paramGroups: [{ lr, ...extra }] });
const close = (a: number, b: number, msg = "") => assert.ok(Math.abs(a - b) <= 1e-9 + 1e-7 * Math.abs(b), `${a} vs ${b} ${msg}`);
function run(s: { step(): void; getLastLr(): number[] }, n: number): number[] {
  const out = [s.getLastLr()[0]];
  for (let i = 1; i < n; i++) { s.step(); out.push(s.getLastLr()[0]); }
  return out;
}

describe("lr schedulers", () => {
  it("StepLR: 0.05 for epochs 0-2, 0.005 for 3-5 (stepSize 3, gamma 0.1)", () => {
    const lrs = run(new StepLR(fakeOpt(0.05), { stepSize: 3 }), 7);
    [0.05, 0.05, 0.05, 0.005, 0.005, 0.005, 0.0005].forEach((v, i) => close(lrs[i], v));
  });
  it("MultiStepLR: decays at each milestone", () => {
    const o = fakeOpt(1);
    const lrs = run(new MultiStepLR(o, { milestones: [2, 4], gamma: 0.5 }), 6);
    [1, 1, 0.5, 0.5, 0.25, 0.25].forEach((v, i) => close(lrs[i], v));
    close(o.paramGroups[0].lr, 0.25);
  });
  it("ExponentialLR: base * gamma^epoch", () => {
    const lrs = run(new ExponentialLR(fakeOpt(0.1), { gamma: 0.9 }), 4);
    lrs.forEach((v, i) => close(v, 0.1 * 0.9 ** i));
  });
  it("CosineAnnealingLR: reaches etaMin at tMax and is halfway at tMax/2", () => {
    const lrs = run(new CosineAnnealingLR(fakeOpt(0.1), { tMax: 10, etaMin: 0.001 }), 11);
    close(lrs[0], 0.1); close(lrs[5], 0.001 + (0.1 - 0.001) / 2); close(lrs[10], 0.001);
  });
  it("OneCycleLR: maxLr/25 -> maxLr at 30% -> maxLr/25/1e4, momentum cycled the other way", () => {
    const o = fakeOpt(0.5);
    const s = new OneCycleLR(o, { maxLr: 0.1, totalSteps: 100 });
    const lrs = run(s, 100);
    close(lrs[0], 0.004); close(Math.max(...lrs), 0.1); close(lrs[29], 0.1); close(lrs[99], 0.004 / 1e4);
    assert.ok(Math.abs((o.paramGroups[0] as any).momentum - 0.95) < 1e-9);
    s.step();
    assert.throws(() => s.step(), /more than totalSteps = 100/);
  });
  it("OneCycleLR: cycles Adam's beta1", () => {
    const o = fakeOpt(1e-3, { betas: [0.9, 0.999] });
    const s = new OneCycleLR(o, { maxLr: 0.01, totalSteps: 10, pctStart: 0.5 });
    for (let i = 0; i < 4; i++) s.step();
    close((o.paramGroups[0] as any).betas[0], 0.85); close((o.paramGroups[0] as any).betas[1], 0.999);
  });
  it("ReduceLROnPlateau: cuts the lr after patience epochs without improvement", () => {
    const o = fakeOpt(1);
    const s = new ReduceLROnPlateau(o, { patience: 2, factor: 0.5 });
    for (const m of [10, 9, 9, 9]) s.step(m);
    close(s.getLastLr()[0], 1);
    s.step(9);
    close(s.getLastLr()[0], 0.5);
  });
});
