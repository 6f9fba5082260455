// kernel/debugger/ts_expression.ts
// The debugger console evaluates what the user types in the paused frame, and V8 reads only
// JavaScript. When an expression does not parse as JavaScript (`x as Tensor`, `y!.shape`), its
// types are stripped with the TypeScript transpiler (loaded on this thread the first time only).

type TS = typeof import("typescript6");
let ts: TS | undefined;

/** The JavaScript of a TypeScript expression or statement list; undefined when nothing changes. */
export function stripTypes(source: string): string | undefined {
  ts ??= require("typescript6") as TS;
  const out = ts.transpileModule(source, {
    reportDiagnostics: false,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, alwaysStrict: false, removeComments: true },
  }).outputText;
  const js = out.replace(/^"use strict";\s*/, "").replace(/^export \{\s*\};?\s*$/m, "").trim().replace(/;$/, "");
  return js && js !== source.trim() ? js : undefined;
}
