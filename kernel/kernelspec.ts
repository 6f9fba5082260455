// kernel/kernelspec.ts
// `main.js install [--user | --prefix DIR | --sys-prefix] [--name N] [--display-name S]
// [--interrupt-mode signal|message]`: writes <data>/jupyter/kernels/<name>/kernel.json and logos,
// as `jupyter kernelspec install` would. The spec points at this node binary and this build.
import { mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { deflateSync } from "node:zlib";
import { PROTOCOL_VERSION } from "./wire";

/** Node flags the kernel runs with (its argv in kernel.json; bench/kernel.ts and the tests start it
 * the same way). A young generation of at most 2 x 4 MB: V8's default lets it grow to 2 x 16 MB
 * on a busy session, resident memory the kernel never gives back (issue 10: the main thread's grew
 * 8 -> 16 -> 32 MB over 1,300 small cells); a cell's garbage is collected young either way. */
export const NODE_FLAGS = ["--max-semi-space-size=4"];

/** Environment the kernel starts with (kernel.json's env; the bench and the tests set the same):
 * glibc's malloc with fixed thresholds. By default both rise after a large block is freed (up to
 * 32 MB), and memory freed below them stayed in the process: over 1,300 small cells the kernel's
 * resident memory grew 20-30 MB with its JavaScript heaps flat, 5 MB with these. Blocks of 4 MB
 * and more (large tensors) are mapped and unmapped whole; freed memory at the heap's top above
 * 128 KB goes back at once. glibc reads them at start; main.ts removes them from its environment
 * so that what the kernel runs (`!cmd`, npm) does not inherit them. */
export const KERNEL_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: "4194304", MALLOC_TRIM_THRESHOLD_: "131072" };

/** The command that starts the kernel at `main` (a main.js) on a connection file, as kernel.json
 * says it; the bench and the tests start it with this too, so no copy of the flags can drift. */
export function kernelArgv(main: string, connectionFile: string): string[] {
  return [process.execPath, ...NODE_FLAGS, main, "--connection-file", connectionFile];
}

export interface SpecOptions { displayName: string; interruptMode: "signal" | "message"; env?: Record<string, string> }

export function kernelJson(opts: SpecOptions): Record<string, unknown> {
  const env: Record<string, string> = { ...KERNEL_ENV, ...opts.env };
  // WebGPU on lavapipe needs XDG_RUNTIME_DIR; main.js also makes a private one when this is unusable.
  if (!process.env.XDG_RUNTIME_DIR && !env.XDG_RUNTIME_DIR) env.XDG_RUNTIME_DIR = `/tmp/tsgrad-runtime-${process.getuid?.() ?? "user"}`;
  return {
    argv: kernelArgv(resolve(__dirname, "main.js"), "{connection_file}"),
    display_name: opts.displayName,
    language: "typescript",
    interrupt_mode: opts.interruptMode,
    env,
    metadata: { debugger: true, tsgrad: { protocol_version: PROTOCOL_VERSION } },
    kernel_protocol_version: PROTOCOL_VERSION,
  };
}

// A tiny PNG writer (RGBA, no filtering) so the logo needs no image files or dependencies.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4), crc = Buffer.alloc(4), td = Buffer.concat([Buffer.from(type, "latin1"), data]);
  len.writeUInt32BE(data.length); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
export function encodePng(size: number, pixel: (x: number, y: number) => [number, number, number, number]): Buffer {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) raw.set(pixel(x, y), y * (size * 4 + 1) + 1 + x * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4); ihdr[8] = 8; ihdr[9] = 6;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

/** TypeScript blue rounded square with a white nabla (the gradient operator). */
function logoPixel(size: number) {
  return (px: number, py: number): [number, number, number, number] => {
    const x = (px + 0.5) / size, y = (py + 0.5) / size, r = 0.16;
    const cx = Math.min(Math.max(x, r), 1 - r), cy = Math.min(Math.max(y, r), 1 - r);
    if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) return [0, 0, 0, 0];
    // Outer triangle (0.2,0.25)-(0.8,0.25)-(0.5,0.8); inner one cut out leaves a stroke.
    const inTri = (m: number) => y >= 0.25 + m && y <= 0.8 - 2.2 * m && Math.abs(x - 0.5) <= (0.8 - 2.2 * m - y) * (0.3 / 0.55);
    return inTri(0) && !inTri(0.08) ? [255, 255, 255, 255] : [0x31, 0x78, 0xc6, 255];
  };
}
const LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="10" fill="#3178c6"/>` +
  `<path d="M13 16 H51 L32 51 Z" fill="none" stroke="#fff" stroke-width="5" stroke-linejoin="round"/></svg>\n`;

export function installSpec(dir: string, opts: SpecOptions): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "kernel.json"), JSON.stringify(kernelJson(opts), null, 2) + "\n");
  for (const size of [32, 64]) writeFileSync(join(dir, `logo-${size}x${size}.png`), encodePng(size, logoPixel(size)));
  writeFileSync(join(dir, "logo-svg.svg"), LOGO_SVG);
  return dir;
}

function userDataDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  return join(process.env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "jupyter");
}

/** Parses install's arguments; returns the exit code. */
export function installCli(args: string[]): number {
  let base = "/usr/local/share/jupyter", name = "tsgrad";
  const opts: SpecOptions = { displayName: "TypeScript (tsgrad)", interruptMode: "signal" };
  for (let i = 0; i < args.length; i++) {
    const a = args[i], value = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    try {
      if (a === "--user") base = userDataDir();
      else if (a === "--prefix") base = join(resolve(value()), "share", "jupyter");
      else if (a === "--sys-prefix") {
        const prefix = process.env.VIRTUAL_ENV || process.env.CONDA_PREFIX;
        if (!prefix) throw new Error("--sys-prefix: no active Python environment (VIRTUAL_ENV or CONDA_PREFIX); use --prefix DIR");
        base = join(prefix, "share", "jupyter");
      } else if (a === "--name") name = value();
      else if (a === "--display-name") opts.displayName = value();
      else if (a === "--interrupt-mode") {
        const m = value();
        if (m !== "signal" && m !== "message") throw new Error(`--interrupt-mode must be signal or message, got ${m}`);
        opts.interruptMode = m;
      } else throw new Error(`unknown option ${a}`);
    } catch (err) {
      process.stderr.write(`tsgrad-kernel install: ${(err as Error).message}\n`);
      return 2;
    }
  }
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) { process.stderr.write(`tsgrad-kernel install: bad kernel name ${name}\n`); return 2; }
  const dir = installSpec(join(base, "kernels", name), opts);
  process.stdout.write(`Installed kernelspec ${name} in ${dir}\n`);
  return 0;
}
