// kernel/messages.ts
// Reply and iopub content shapes, field names exactly as in the messaging spec (5.3), and the
// kernel_info content. Built from data at hand: answering kernel_info must not load the compiler.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PROTOCOL_VERSION } from "./wire";

export type Status = "ok" | "error" | "aborted";
export interface ErrorContent { ename: string; evalue: string; traceback: string[] }
export type ExecuteReply =
  | { status: "ok"; execution_count: number; user_expressions: Record<string, unknown>; payload: unknown[] }
  | ({ status: "error"; execution_count: number; user_expressions: Record<string, unknown>; payload: unknown[] } & ErrorContent)
  | { status: "aborted" };
export interface StreamContent { name: "stdout" | "stderr"; text: string }
export interface DisplayContent { data: Record<string, unknown>; metadata: Record<string, unknown>; transient: { display_id?: string } }
export type HistoryEntry = [number, number, string | [string, string | null]];

function versionOf(file: () => string, fallback: string): string {
  try { return JSON.parse(readFileSync(file(), "utf8")).version ?? fallback; } catch { return fallback; }
}
/** tsgrad's own package.json: two levels up from dist/kernel/, one from kernel/ under tsx. */
function ownPackageJson(): string {
  for (const up of ["../..", ".."]) {
    const p = join(__dirname, up, "package.json");
    if (existsSync(p)) return p;
  }
  throw new Error("package.json not found");
}

let info: Record<string, unknown> | undefined;

/** kernel_info_reply content; computed once (two small package.json reads). */
export function kernelInfoContent(): Record<string, unknown> {
  if (info) return info;
  const tsVersion = versionOf(() => require.resolve("typescript/package.json"), "unknown");
  const version = versionOf(ownPackageJson, "0.1.0");
  info = {
    status: "ok",
    protocol_version: PROTOCOL_VERSION,
    implementation: "tsgrad",
    implementation_version: version,
    language_info: {
      name: "typescript",
      version: tsVersion,
      mimetype: "text/typescript",
      file_extension: ".ts",
      pygments_lexer: "typescript",
      codemirror_mode: "typescript",
      nbconvert_exporter: "script",
    },
    banner: `tsgrad ${version}: TypeScript ${tsVersion} on Node.js ${process.versions.node}, with tensors, autograd, nn and optim`,
    help_links: [
      { text: "TypeScript handbook", url: "https://www.typescriptlang.org/docs/handbook/intro.html" },
      { text: "Node.js API", url: "https://nodejs.org/api/" },
      { text: "PyTorch documentation (the names tsgrad follows)", url: "https://pytorch.org/docs/stable/" },
    ],
    // The Jupyter debugger (kernel/debugger/), as ipykernel 7 advertises it.
    debugger: true,
    supported_features: ["debugger"],
  };
  return info;
}
