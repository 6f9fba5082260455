// kernel/debugger/cell_files.ts
// Jupyter's dumpCell: a cell's text becomes a file whose name JupyterLab can compute itself, from
// the hashMethod/hashSeed/tmpFilePrefix/tmpFileSuffix that debugInfo announces (ipykernel's scheme:
// <tmp>/<name>_<pid>/<murmur2(code, seed)><suffix>). Breakpoints and stack frames then name that
// file, and JupyterLab finds the cell whose text hashes to it. Knows nothing about the inspector.
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";

/** ipykernel's seed; any fixed value works, JupyterLab reads it from debugInfo. */
export const HASH_SEED = 0xc70f6907;
export const HASH_METHOD = "Murmur2";
export const FILE_SUFFIX = ".ts";

/** MurmurHash2 (x86, 32 bit) over the UTF-8 bytes, as JupyterLab's debugger computes it. */
export function murmur2(text: string, seed: number): number {
  const data = Buffer.from(text, "utf8");
  const m = 0x5bd1e995;
  let len = data.length, h = (seed ^ len) >>> 0, i = 0;
  while (len >= 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, m); k ^= k >>> 24; k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
    i += 4; len -= 4;
  }
  switch (len) {
    case 3: h ^= data[i + 2] << 16; // falls through
    case 2: h ^= data[i + 1] << 8; // falls through
    case 1: h ^= data[i]; h = Math.imul(h, m);
  }
  h ^= h >>> 13; h = Math.imul(h, m); h ^= h >>> 15;
  return h >>> 0;
}

export class CellFiles {
  /** Ends with the path separator, as JupyterLab concatenates prefix + hash + suffix. */
  readonly prefix = join(tmpdir(), `tsgrad_${process.pid}`) + sep;
  /** path -> cell text, for every cell dumped or run while attached. */
  private readonly texts = new Map<string, string>();

  pathFor(code: string): string { return `${this.prefix}${murmur2(code, HASH_SEED)}${FILE_SUFFIX}`; }

  /** Writes the cell's text under its hashed name; returns the path. */
  dump(code: string): string {
    const path = this.remember(code);
    mkdirSync(this.prefix, { recursive: true, mode: 0o700 });
    writeFileSync(path, code);
    return path;
  }

  /** Records a cell's text without writing it (a cell that ran while attached). */
  remember(code: string): string {
    const path = this.pathFor(code);
    this.texts.set(path, code);
    return path;
  }

  text(path: string): string | undefined { return this.texts.get(path); }
  isCellFile(path: string): boolean { return path.startsWith(this.prefix) && path.endsWith(FILE_SUFFIX); }
}
