// test/runtime/tsgo.test.ts
// The native checker's wrapper (runtime/tsgo.ts) on its own, over virtual files: the one module
// that touches TypeScript 7's unstable API, so a change of that API fails here first. Also the
// in-process fallback behind the same CellCompiler.
import * as assert from "assert";
import * as path from "path";
import * as fs from "fs";
import { NativeCheckService, nativeVersion, packageExe, platformExe } from "../../runtime/tsgo";
import { VirtualFiles } from "../../runtime/check_service";
import { CellCompiler, findPackageRoot } from "../../runtime/compiler";
import { spawn } from "child_process";

const ROOT = findPackageRoot(path.join(__dirname, "..", "..", "runtime"));

describe("runtime/tsgo: the native checker's wrapper", function () {
  this.timeout(60000);
  const dir = path.join(ROOT, "__tsgo_test__");
  const config = path.join(dir, "tsconfig.json");
  const main = path.join(dir, "main.ts");
  let files: VirtualFiles;
  let svc: NativeCheckService;
  const set = (file: string, text: string) => {
    const change = files.set(file, text);
    if (change) svc.changed(file, change);
  };

  before(() => {
    files = new VirtualFiles(ROOT);
    files.set(config, JSON.stringify({
      compilerOptions: { target: "es2022", module: "preserve", moduleResolution: "bundler", lib: ["es2023"], types: [], strict: true, noEmit: true },
      files: [main],
    }));
    files.set(main, "export {};\n");
    svc = new NativeCheckService(files, config);
  });
  after(() => svc.close());

  it("is the pinned TypeScript 7", () => {
    assert.strictEqual(nativeVersion(), "7.0.2");
    assert.strictEqual(svc.name, "tsgo");
  });

  it("the build's one-file API (scripts/bundle_tsgo_api.js) is the pinned version's, with the package's exports", () => {
    // The kernel runs from dist/ and loads this file; the tests above run the package's modules.
    const bundled = path.join(ROOT, "dist", "runtime", "tsgo_api.cjs");
    assert.ok(fs.existsSync(bundled), "npm run build makes dist/runtime/tsgo_api.cjs");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const one = require(bundled) as Record<string, unknown>;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const modules = require("typescript/unstable/sync") as Record<string, unknown>;
    assert.strictEqual(one.bundledVersion, nativeVersion());
    assert.deepStrictEqual(Object.keys(one).filter((k) => k !== "bundledVersion").sort(), Object.keys(modules).sort());
    assert.strictEqual(typeof one.API, "function");
  });

  it("finds the server binary where the package's own lookup finds it, without loading that ES module", () => {
    assert.strictEqual(platformExe(), packageExe());
  });

  it("reports a type error with its code, position and message; a change of the file is seen", () => {
    const text = "const n: number = 'x';\nexport {};\n";
    set(main, text);
    const [d, ...rest] = svc.diagnostics(main);
    assert.deepStrictEqual(rest, []);
    assert.strictEqual(d.code, 2322);
    assert.strictEqual(d.start, text.indexOf("n:"));
    assert.match(d.message, /Type 'string' is not assignable to type 'number'/);
    set(main, "const n: number = 1;\nexport {};\n");
    assert.deepStrictEqual(svc.diagnostics(main), []);
  });

  it("a message chain is flattened, indented, as TypeScript prints it", () => {
    set(main, "const f: (x: number) => string = (x: string) => x;\nexport {};\n");
    const [d] = svc.diagnostics(main);
    const lines = d.message.split("\n");
    assert.match(lines[0], /^Type '\(x: string\) => string' is not assignable to type '\(x: number\) => string'\.$/);
    assert.match(lines[1], /^  Types of parameters 'x' and 'x' are incompatible\.$/);
    assert.match(lines[2], /^    Type 'number' is not assignable to type 'string'\.$/);
  });

  it("completes members with kinds; @internal members are marked", () => {
    const text = "class K {\n  /** visible */ open = 1;\n  /** @internal */ hidden = 2;\n  run() {}\n}\nnew K().";
    set(main, text + "\nexport {};\n");
    const got = svc.completions(main, text.length)!;
    const byName = new Map(got.map((e) => [e.name, e]));
    assert.strictEqual(byName.get("open")?.internal, false);
    assert.strictEqual(byName.get("hidden")?.internal, true);
    assert.strictEqual(byName.get("run")?.kind, "method");
  });

  it("at a bare identifier it gives the names in scope, or says it cannot (undefined), never throws", () => {
    const text = "const localName = 1;\nlocalN";
    set(main, text + "\nexport {};\n");
    const got = svc.completions(main, text.length);
    assert.ok(got === undefined || got.some((e) => e.name === "localName"), JSON.stringify(got?.slice(0, 5)));
  });

  it("says what a name is: signature, TSDoc and tags", () => {
    const text = "/** Adds one.\n * @param n a number */\nfunction addOne(n: number): number { return n + 1; }\naddOne(1);";
    set(main, text + "\nexport {};\n");
    const info = svc.symbolAt(main, text.lastIndexOf("addOne"))!;
    assert.strictEqual(info.signature, "function addOne(n: number): number");
    assert.strictEqual(info.doc, "Adds one.");
    assert.deepStrictEqual(info.tags, [{ name: "param", text: "n a number" }]);
    assert.strictEqual(svc.symbolAt(main, text.indexOf("{ return") + 1), undefined);
  });

  it("a function returning a function keeps its whole return type", () => {
    const text = "function mk(a: number): (b: number) => string { return (b) => String(a + b); }\nmk;";
    set(main, text + "\nexport {};\n");
    assert.strictEqual(svc.symbolAt(main, text.lastIndexOf("mk"))!.signature, "function mk(a: number): (b: number) => string");
  });

  it("invalidate() makes it look at the disk again (a package installed meanwhile is found)", () => {
    const pkg = path.join(ROOT, "node_modules", "__tsgo_test_pkg__");
    const text = "import { seven } from '__tsgo_test_pkg__';\nconst s: number = seven;\nexport {};\n";
    try {
      set(main, text);
      assert.match(svc.diagnostics(main)[0]?.message ?? "", /Cannot find module/);
      fs.mkdirSync(pkg, { recursive: true });
      fs.writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "__tsgo_test_pkg__", types: "index.d.ts" }));
      fs.writeFileSync(path.join(pkg, "index.d.ts"), "export declare const seven: number;\n");
      svc.invalidate();
      assert.deepStrictEqual(svc.diagnostics(main), []);
    } finally {
      fs.rmSync(pkg, { recursive: true, force: true });
    }
  });
});

describe("runtime/tsgo: an interrupt of the kernel's process group", function () {
  this.timeout(60000);
  it("#11/#10: does not reach the checker (jupyter_client interrupts with killpg); it answers after one", async () => {
    // A child process with its own group, as a kernel under jupyter_client: it opens a checker,
    // survives a SIGINT to its whole group (its own handler), and checks again. Plain node on the
    // build (npm test builds first): tsx's loader would take the SIGINT itself.
    const script = `
      const { NativeCheckService } = require(${JSON.stringify(path.join(ROOT, "dist", "runtime", "tsgo"))});
      const { VirtualFiles } = require(${JSON.stringify(path.join(ROOT, "dist", "runtime", "check_service"))});
      const dir = ${JSON.stringify(path.join(ROOT, "__tsgo_sigint__"))};
      const files = new VirtualFiles(${JSON.stringify(ROOT)});
      files.set(dir + "/tsconfig.json", JSON.stringify({ compilerOptions: { types: [], strict: true }, files: [dir + "/a.ts"] }));
      files.set(dir + "/a.ts", "export {};\\n");
      const svc = new NativeCheckService(files, dir + "/tsconfig.json");
      svc.diagnostics(dir + "/a.ts");
      const alive = setInterval(() => {}, 1000);
      process.on("SIGINT", () => {
        clearInterval(alive);
        setTimeout(() => {
          files.set(dir + "/a.ts", "const n: number = 'x';\\nexport {};\\n"); svc.changed(dir + "/a.ts", "changed");
          const codes = JSON.stringify(svc.diagnostics(dir + "/a.ts").map((d) => d.code));
          svc.close();
          process.stdout.write(codes + "\\n", () => process.exit(0));
        }, 300);
      });
      console.log("ready");`;
    const child = spawn(process.execPath, ["-e", script], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.on("data", (d) => { out += d; });
    child.stderr.on("data", (d) => { err += d; });
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => { if (out.includes("ready")) { clearInterval(t); resolve(); } }, 50);
      child.on("exit", () => { clearInterval(t); reject(new Error(`child exited: ${err}`)); });
    });
    process.kill(-child.pid!, "SIGINT");
    const code = await new Promise<number | null>((r) => child.on("exit", (c, sig) => { if (sig) err += ` (killed by ${sig})`; r(c); }));
    assert.strictEqual(code, 0, err);
    assert.deepStrictEqual(JSON.parse(out.trim().split("\n").pop()!), [2322], out + err);
  });
});

describe("runtime/compiler: the in-process fallback checks the same", function () {
  this.timeout(120000);
  let c: CellCompiler;
  before(async () => {
    c = new CellCompiler({ globalNames: [], globalsModule: path.join(ROOT, "runtime", "index"), checker: "inprocess" });
    await c.warmUp();
  });
  after(() => c.close());
  const errors = (code: string) => c.compile(code, { check: true }).diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`);

  it("is TypeScript 6 in process", () => assert.match(c.checkerName, /^typescript 6\.\d+\.\d+ \(in process\)$/));

  it("earlier cells' names, redeclaration, let assignment and errors in cell coordinates", () => {
    const commit = (code: string) => {
      const r = c.compile(code, { check: true });
      assert.deepStrictEqual(r.diagnostics, []);
      c.commit(code, r.analysis);
    };
    commit("let count = 1;\nconst label = 'a';");
    commit("count = count + 1;");
    commit("const label = 2;");
    assert.deepStrictEqual(errors("const n: number = label;"), []);
    assert.deepStrictEqual(errors("\nconst s: string = label;"), ["2:7 Type 'number' is not assignable to type 'string'."]);
    assert.match(errors("labell")[0], /^1:1 Cannot find name 'labell'/);
  });

  it("completes and inspects", () => {
    assert.ok(c.complete("Math.ma", 7).matches.includes("max"));
    assert.ok(c.complete("lab", 3).matches.includes("label"));
    assert.match(String(c.inspect("Math.max(1)", 6).data["text/plain"]), /max\(\.\.\.values: number\[\]\): number/);
  });
});
