// kernel/debugger/source_map.ts
// Source map v3 "mappings" decoded into segments, looked up both ways: a cell (or library .ts)
// line to the first generated position on it (where a breakpoint goes), and a generated position
// to its original line and column (what a stack frame shows). Lines and columns are 0-based here.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

interface Segment { genLine: number; genCol: number; origLine: number; origCol: number }

const B64 = new Map([..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"].map((c, i) => [c, i]));

function decodeMappings(mappings: string): Segment[] {
  const out: Segment[] = [];
  let genLine = 0, origLine = 0, origCol = 0, source = 0;
  for (const line of mappings.split(";")) {
    let genCol = 0;
    for (const seg of line.split(",")) {
      if (!seg) continue;
      const v: number[] = [];
      let shift = 0, value = 0;
      for (const ch of seg) {
        const d = B64.get(ch) ?? 0;
        value += (d & 31) << shift;
        if (d & 32) { shift += 5; continue; }
        v.push(value & 1 ? -(value >>> 1) : value >>> 1);
        value = 0; shift = 0;
      }
      genCol += v[0];
      if (v.length >= 4) {
        source += v[1]; origLine += v[2]; origCol += v[3];
        if (source === 0) out.push({ genLine, genCol, origLine, origCol });
      }
    }
    genLine++;
  }
  return out;
}

export class LineMap {
  private readonly segs: Segment[];
  /** Absolute path of the original source, when the map names one. */
  readonly source?: string;

  constructor(json: string | Record<string, unknown>, mapFile?: string) {
    const map = typeof json === "string" ? JSON.parse(json) as Record<string, unknown> : json;
    this.segs = decodeMappings(String(map.mappings ?? ""));
    const sources = map.sources as string[] | undefined;
    if (mapFile && sources?.length) this.source = resolve(dirname(mapFile), String(map.sourceRoot ?? ""), sources[0]);
  }

  /** The original position of a generated one: the last segment at or before it on its line. */
  original(genLine: number, genCol: number): { line: number; column: number } | undefined {
    let best: Segment | undefined;
    for (const s of this.segs) {
      if (s.genLine !== genLine) continue;
      if (s.genCol <= genCol && (!best || s.genCol >= best.genCol)) best = s;
      else if (!best && s.genCol > genCol) best = s;
    }
    return best && { line: best.origLine, column: best.origCol };
  }

  /** Whether any segment starts on this generated line (lines the runtime adds around a cell's
   * statements have none). */
  hasLine(genLine: number): boolean { return this.segs.some((s) => s.genLine === genLine); }

  /** The original position of the last segment at or before a generated position, on any line. */
  near(genLine: number, genCol: number): { line: number; column: number } | undefined {
    let best: Segment | undefined;
    for (const s of this.segs) {
      if (s.genLine > genLine || (s.genLine === genLine && s.genCol > genCol)) continue;
      if (!best || s.genLine > best.genLine || (s.genLine === best.genLine && s.genCol >= best.genCol)) best = s;
    }
    return best && { line: best.origLine, column: best.origCol };
  }

  /** Where a breakpoint on original line `line` goes: the first generated position that maps to
   * it, else to the next original line that has code (reported back as the breakpoint's line). */
  generated(line: number): { line: number; genLine: number; genCol: number } | undefined {
    let best: Segment | undefined;
    for (const s of this.segs) {
      if (s.origLine < line) continue;
      if (!best || s.origLine < best.origLine || (s.origLine === best.origLine &&
        (s.genLine < best.genLine || (s.genLine === best.genLine && s.genCol < best.genCol)))) best = s;
    }
    return best && { line: best.origLine, genLine: best.genLine, genCol: best.genCol };
  }
}

/** The map of a script on disk (a library file in dist/), from its sourceMappingURL; cached. */
const fileMaps = new Map<string, LineMap | null>();
export function fileLineMap(url: string, sourceMapURL: string): LineMap | undefined {
  const key = `${url}\n${sourceMapURL}`;
  let m = fileMaps.get(key);
  if (m === undefined) {
    m = null;
    try {
      const file = url.startsWith("file:") ? fileURLToPath(url) : url;
      if (sourceMapURL.startsWith("data:")) {
        const comma = sourceMapURL.indexOf(",");
        const body = sourceMapURL.slice(comma + 1);
        const json = /;base64$/.test(sourceMapURL.slice(0, comma)) ? Buffer.from(body, "base64").toString("utf8") : decodeURIComponent(body);
        m = new LineMap(json, file);
      } else if (file.startsWith("/")) {
        const mapFile = resolve(dirname(file), sourceMapURL);
        m = new LineMap(readFileSync(mapFile, "utf8"), mapFile);
      }
    } catch { m = null; }
    fileMaps.set(key, m);
  }
  return m ?? undefined;
}
