// test/package/package.test.ts
// #12: the package installs and imports by name. Packs the repository with `npm pack` (its prepack
// builds and adds the native addon), installs the tarball into a fresh project in a temporary
// folder outside the repository (dependencies from the npm registry or its cache), and there:
// requires and imports "tsgrad" and trains one step, type-checks TypeScript consumers with the
// repository's tsc, installs the kernelspec with `npx tsgrad-kernel install --prefix`, and runs a
// cell on the kernel that kernelspec names.
import * as assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "../helpers/client";
import { freePort } from "../helpers/kernel_proc";

const ROOT = path.resolve(__dirname, "..", "..");
const CONSUMER = path.join(__dirname, "consumer");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  version: string; devDependencies: Record<string, string>;
};

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r;
}
const lastJson = (out: string): Record<string, unknown> => JSON.parse(out.trim().split("\n").pop()!);

describe("package: npm pack, install into a fresh project, import by name", function () {
  this.timeout(300_000);
  let tmp: string, project: string, tarball: string, files: string[];

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tsgrad-package-"));
    assert.ok(!path.relative(ROOT, tmp).match(/^[^.]/), "the consumer project lies outside the repository");
    // stdout: the prepack script's output (the build), then the JSON array.
    const out = run(NPM, ["pack", "--json", "--pack-destination", tmp], ROOT).stdout;
    const packed = JSON.parse(out.startsWith("[") ? out : out.slice(out.lastIndexOf("\n[") + 1)) as
      { filename: string; files: { path: string }[] }[];
    tarball = path.join(tmp, packed[0].filename);
    files = packed[0].files.map((f) => f.path);
    project = path.join(tmp, "consumer");
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
    for (const f of fs.readdirSync(CONSUMER)) fs.copyFileSync(path.join(CONSUMER, f), path.join(project, f));
    // @types/node at the repository's version, for the tsc check (tsgrad's types use Node's).
    run(NPM, ["install", tarball, `@types/node@${pkg.devDependencies["@types/node"]}`,
      "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], project);
  });
  after(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

  it("the tarball holds the entry points, the kernel and the native addon, and no tests or benchmarks", () => {
    for (const f of ["package.json", "dist/runtime/lib.js", "dist/runtime/lib.mjs", "dist/runtime/lib.d.ts", "dist/runtime/lib.d.mts",
      "dist/kernel/main.js", "dist/gpu/index.js", "dist/native/build/Release/tsgrad_native.node"])
      assert.ok(files.includes(f), `${f} is packed`);
    assert.deepEqual(files.filter((f) => /^(dist\/)?(test|bench|notebooks)\//.test(f)), []);
    assert.ok(!fs.existsSync(path.join(ROOT, "dist", "native")), "postpack removed the addon's copy from dist/");
  });

  it("require('tsgrad') from CommonJS trains one step on the native backend", () => {
    const out = lastJson(run(process.execPath, ["train.cjs"], project, { TSGRAD_REQUIRE_NATIVE: "1" }).stdout);
    assert.ok(Number.isFinite(out.before) && Number.isFinite(out.after), JSON.stringify(out));
    assert.ok((out.after as number) < (out.before as number), `one Adam step lowers the loss: ${JSON.stringify(out)}`);
  });

  it("import from ESM trains one step, with the same names and the same instance as require", () => {
    const out = lastJson(run(process.execPath, ["train.mjs"], project, { TSGRAD_REQUIRE_NATIVE: "1" }).stdout);
    assert.ok((out.after as number) < (out.before as number), JSON.stringify(out));
    assert.equal(out.sameInstance, true);
    assert.deepEqual(out.esmNames, out.cjsNames);
    for (const name of ["torch", "nn", "optim", "F", "data", "Tensor", "save", "load"]) assert.ok((out.esmNames as string[]).includes(name), name);
  });

  it("a TypeScript consumer (CommonJS and .mts) type-checks with tsc", () => {
    // node_modules/.bin/tsc may be either TypeScript line (both packages ship a `tsc` bin); use 7.
    const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: project, encoding: "utf8" });
    assert.equal(r.status, 0, `tsc reported:\n${r.stdout}${r.stderr}`);
  });

  it("npx tsgrad-kernel install --prefix writes a kernelspec whose kernel runs a cell", async () => {
    const prefix = path.join(tmp, "prefix");
    execFileSync("npx", ["--no-install", "tsgrad-kernel", "install", "--prefix", prefix], { cwd: project, encoding: "utf8" });
    const spec = JSON.parse(fs.readFileSync(path.join(prefix, "share", "jupyter", "kernels", "tsgrad", "kernel.json"), "utf8")) as { argv: string[] };
    assert.equal(fs.realpathSync(spec.argv[spec.argv.length - 3]), fs.realpathSync(path.join(project, "node_modules", "tsgrad", "dist", "kernel", "main.js")));

    const ports = [];
    for (let i = 0; i < 5; i++) ports.push(await freePort());
    const [shell_port, control_port, stdin_port, iopub_port, hb_port] = ports;
    const connection = { transport: "tcp", ip: "127.0.0.1", shell_port, control_port, stdin_port, iopub_port, hb_port,
      key: "package-test", signature_scheme: "hmac-sha256", kernel_name: "tsgrad" };
    const connectionFile = path.join(tmp, "connection.json");
    fs.writeFileSync(connectionFile, JSON.stringify(connection));
    const argv = spec.argv.map((a) => a.replace("{connection_file}", connectionFile));
    const proc = spawn(argv[0], argv.slice(1), { cwd: project, stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, TSGRAD_DATA_DIR: path.join(tmp, "data"), TSGRAD_REQUIRE_NATIVE: "1" } });
    let log = "";
    proc.stderr!.setEncoding("utf8").on("data", (d: string) => { log += d; });
    const client = new Client(connection as never);
    try {
      await client.ready(30_000);
      const { reply, iopub } = await client.execute("const t: Tensor = torch.ones([3]).mul(2); t.sum().itemSync()", {}, 60_000);
      assert.equal(reply.content.status, "ok", `${JSON.stringify(reply.content)}\n${log}`);
      const result = iopub.find((m) => m.header.msg_type === "execute_result");
      assert.equal((result?.content.data as Record<string, string>)["text/plain"], "6");
    } finally {
      client.close();
      proc.kill("SIGKILL");
    }
  });
});
