// runtime/widgets/training_controls.ts
// The control bar of a live training curve: Stop, Pause/Resume and a learning-rate slider bound to
// an optimizer's param groups. Clicks come past the shell queue (runtime/comms.ts fast comms), so a
// loop that never awaits sees them: curve.log() and progress() call steer() each step, which
// handles what arrived (one atomic load when nothing did), ends loops after Stop, and holds the
// loop while paused (Atomics.wait on the same counter, with a timeout so interrupts still land).
import { currentCell, throwIfInterrupted, type CellContext } from "../cell_context";
import { comms, pollComms, waitComms } from "../comms";
import { Button, FloatLogSlider, HBox, Label } from "./controls";

/** What plot.live({ controls }) takes: `true` for Stop and Pause, or these. */
export interface ControlOptions {
  /** A Stop button (default true). */
  stop?: boolean;
  /** A Pause/Resume button (default true). */
  pause?: boolean;
  /** An optimizer (anything with paramGroups[i].lr): adds a log-scale learning-rate slider that
   * sets every group's lr (groups with different rates keep their ratios). */
  optimizer?: { paramGroups: { lr: number }[] };
  /** Range of the lr slider (default: 100x either side of the current lr). */
  lrRange?: [number, number];
}

/** How often a paused loop wakes to check for an interrupt, ms. */
const PAUSE_POLL_MS = 100;
const active = new Set<TrainingControls>();

export class TrainingControls {
  stopped = false;
  paused = false;
  /** The cell that was running when Stop was clicked: its progress() loops end too. */
  private stopCell: CellContext | undefined;
  /** The cell that last logged through these controls: its loops are the ones Pause holds. */
  cell: CellContext | undefined = currentCell();
  readonly box: InstanceType<typeof HBox>;
  readonly stopButton?: InstanceType<typeof Button>;
  readonly pauseButton?: InstanceType<typeof Button>;
  readonly lrSlider?: InstanceType<typeof FloatLogSlider>;
  private readonly status: InstanceType<typeof Label>;
  /** Called when the loop is about to wait (the curve sends its latest state first). */
  onHold: () => void = () => {};

  constructor(opts: ControlOptions = {}) {
    const children = [];
    if (opts.stop !== false) {
      this.stopButton = new Button({ description: "Stop", icon: "stop", buttonStyle: "danger", tooltip: "end training at the next step" });
      this.stopButton.onClick(() => this.stop());
      children.push(this.stopButton);
    }
    if (opts.pause !== false) {
      this.pauseButton = new Button({ description: "Pause", icon: "pause", tooltip: "hold training at the next step" });
      this.pauseButton.onClick(() => (this.paused ? this.resume() : this.pause()));
      children.push(this.pauseButton);
    }
    const opt = opts.optimizer;
    if (opt) {
      const lr = opt.paramGroups[0]?.lr ?? 1e-3;
      const [lo, hi] = opts.lrRange ?? [lr / 100, lr * 100];
      this.lrSlider = new FloatLogSlider({ value: lr, min: Math.log10(lo), max: Math.log10(hi), step: 0.01, description: "lr", readoutFormat: ".2e", continuousUpdate: false });
      this.lrSlider.observe((c) => {
        const ratio = (c.new as number) / (c.old as number);
        for (const g of opt.paramGroups) g.lr = g === opt.paramGroups[0] ? c.new as number : g.lr * ratio;
      }, "value");
      children.push(this.lrSlider);
    }
    this.status = new Label({ value: "" });
    children.push(this.status);
    this.box = new HBox({ children });
    Object.defineProperty(this.box, "toString", { value: () => `[training controls: ${this.describe()}]` });
    active.add(this);
  }

  private describe(): string {
    return [this.stopButton && "Stop", this.pauseButton && "Pause", this.lrSlider && "lr"].filter(Boolean).join(", ") +
      (this.stopped ? " (stopped)" : this.paused ? " (paused)" : "");
  }

  /** End the loop at its next step boundary (what the Stop button does). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.paused = false;
    this.stopCell = currentCell();
    if (this.stopButton) { this.stopButton.description = "Stopped"; this.stopButton.disabled = true; }
    if (this.pauseButton) this.pauseButton.disabled = true;
    this.status.value = "stopped";
  }
  pause(): void {
    if (this.stopped || this.paused) return;
    this.paused = true;
    if (this.pauseButton) { this.pauseButton.description = "Resume"; this.pauseButton.icon = "play"; }
    this.status.value = "paused";
  }
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.pauseButton) { this.pauseButton.description = "Pause"; this.pauseButton.icon = "pause"; }
    this.status.value = "";
  }
  /** Let a stopped bar run again (a later cell that trains the same model). */
  reset(): void {
    this.stopped = false;
    this.stopCell = undefined;
    if (this.stopButton) { this.stopButton.description = "Stop"; this.stopButton.disabled = false; }
    if (this.pauseButton) this.pauseButton.disabled = false;
    this.status.value = "";
  }

  /** One step boundary: handle clicks; while paused, wait here. Returns whether to stop. */
  check(): boolean {
    pollComms();
    this.cell = currentCell() ?? this.cell;
    if (this.paused && !this.stopped) this.hold(() => this.paused && !this.stopped);
    return this.stopped;
  }

  /** Whether Stop was clicked while `cell` ran (progress() loops of that cell end). */
  stoppedIn(cell: CellContext | undefined): boolean { return this.stopped && cell !== undefined && this.stopCell === cell; }

  hold(waiting: () => boolean): void {
    this.onHold();
    while (waiting()) {
      throwIfInterrupted();
      // Without a kernel no click can come: a paused bar there would wait forever.
      if (!comms.connected) { this.paused = false; break; }
      waitComms(PAUSE_POLL_MS);
    }
  }

  close(): void { active.delete(this); this.box.close(); }
}

/** For progress(): handle clicks, hold while a bar of this cell is paused, and say whether a Stop
 * clicked during this cell should end the loop. Costs one atomic load when no bar exists. */
export function steer(): boolean {
  if (active.size === 0) return false;
  pollComms();
  const cell = currentCell();
  for (const c of active) {
    if (c.stoppedIn(cell)) return true;
    if (c.paused && c.cell === cell) c.hold(() => c.paused && !c.stopped);
    if (c.stoppedIn(cell)) return true;
  }
  return false;
}
