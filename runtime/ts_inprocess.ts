// runtime/ts_inprocess.ts
// The fallback checker: TypeScript 6's LanguageService inside the kernel process, used where the
// native checker (tsgo.ts) cannot start. Same CheckService, same virtual files and project config,
// so cells see the same names and types either way; it is slower and holds the compiler's memory
// in the kernel.
import * as path from "path";
import type * as TS from "typescript6";
import type { CheckService, ServiceCompletion, ServiceDiagnostic, ServiceSymbolInfo, VirtualFiles } from "./check_service";

export interface ProjectConfig { compilerOptions: Record<string, unknown>; files: string[] }

export class InProcessCheckService implements CheckService {
  readonly name: string;
  private readonly versions = new Map<string, number>();
  private ls: TS.LanguageService;
  private readonly makeLs: () => TS.LanguageService;

  constructor(private readonly ts: typeof TS, files: VirtualFiles, config: ProjectConfig, dir: string) {
    this.name = `typescript ${ts.version} (in process)`;
    const { options } = ts.convertCompilerOptionsFromJson(config.compilerOptions, dir);
    const readFile = (f: string): string | undefined => {
      const v = files.readFile(f);
      return v === null ? undefined : v ?? ts.sys.readFile(f);
    };
    const fileExists = (f: string): boolean => files.fileExists(f) ?? ts.sys.fileExists(f);
    const host: TS.LanguageServiceHost = {
      getScriptFileNames: () => config.files,
      getScriptVersion: (f) => String(this.versions.get(f) ?? 0),
      getScriptSnapshot: (f) => {
        const t = readFile(f);
        return t === undefined ? undefined : ts.ScriptSnapshot.fromString(t);
      },
      getCurrentDirectory: () => dir,
      getCompilationSettings: () => options,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists, readFile,
      directoryExists: (d) => files.directoryExists(d) ?? ts.sys.directoryExists(d),
      realpath: (f) => files.realpath(f) ?? ts.sys.realpath!(f),
      getDirectories: (d) => files.entries(d)?.directories ?? ts.sys.getDirectories(d),
      readDirectory: ts.sys.readDirectory,
    };
    this.makeLs = () => ts.createLanguageService(host, ts.createDocumentRegistry());
    this.ls = this.makeLs();
  }

  invalidate(): void {
    this.ls.dispose();
    this.ls = this.makeLs();
  }

  changed(file: string): void {
    this.versions.set(file, (this.versions.get(file) ?? 0) + 1);
  }

  sync(): void {
    this.ls.getProgram();
  }

  diagnostics(file: string): ServiceDiagnostic[] {
    const ts = this.ts;
    const program = this.ls.getProgram()!;
    const sf = program.getSourceFile(file);
    if (!sf) return [];
    return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]
      .filter((d) => d.category === ts.DiagnosticCategory.Error)
      .map((d) => ({ start: d.start ?? 0, code: d.code, message: ts.flattenDiagnosticMessageText(d.messageText, "\n") }));
  }

  completions(file: string, position: number): ServiceCompletion[] {
    const checker = this.ls.getProgram()!.getTypeChecker();
    // includeSymbol is TypeScript's own (internal) option: the entries then carry their symbols.
    const info = this.ls.getCompletionsAtPosition(file, position, { includeSymbol: true } as TS.GetCompletionsAtPositionOptions);
    return (info?.entries ?? []).map((e) => {
      const sym = (e as { symbol?: TS.Symbol }).symbol;
      return {
        name: e.name, sortText: e.sortText, kind: e.kind,
        internal: !!sym && sym.getJsDocTags(checker).some((t) => t.name === "internal"),
      };
    });
  }

  symbolAt(file: string, position: number): ServiceSymbolInfo | undefined {
    const ts = this.ts;
    const info = this.ls.getQuickInfoAtPosition(file, position);
    if (!info) return undefined;
    const signature = ts.displayPartsToString(info.displayParts).replace(/^\(alias\) /, "").replace(/\nimport [\w$]+ = [^\n]*$/, "")
      .replace(/\nimport [\w$]+$/, "");
    const name = (info.displayParts ?? []).find((p) => p.kind.endsWith("Name"))?.text ?? path.basename(file);
    return {
      name, kind: info.kind, type: "", signature, doc: ts.displayPartsToString(info.documentation),
      tags: (info.tags ?? []).map((t) => ({ name: t.name, text: t.text ? ts.displayPartsToString(t.text) : "" })),
    };
  }

  close(): void { this.ls.dispose(); }
}
