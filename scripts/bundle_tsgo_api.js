#!/usr/bin/env node
// scripts/bundle_tsgo_api.js
// Part of `npm run build`: TypeScript 7's API (`typescript/unstable/sync`) as one CommonJS file,
// dist/runtime/tsgo_api.cjs, which runtime/tsgo.ts loads at the kernel's start. The API ships as
// ~60 ES modules; Node 20 took 47-59 ms of the kernel's main thread to resolve and link them,
// before the checker could start, and 19-25 ms to load this one file (the V8 code cache then
// shortens that again). The file records the version it was made from: tsgo.ts loads the modules
// themselves where it does not match the installed package, or where there is no build (sources).
"use strict";
const path = require("node:path");
const esbuild = require("esbuild");

const root = path.resolve(__dirname, "..");
const version = require("typescript/package.json").version;
esbuild.buildSync({
  entryPoints: [require.resolve("typescript/unstable/sync")],
  outfile: path.join(root, "dist", "runtime", "tsgo_api.cjs"),
  bundle: true, platform: "node", format: "cjs", target: "node20", logLevel: "warning",
  banner: { js: `// typescript/unstable/sync of typescript@${version}, bundled by scripts/bundle_tsgo_api.js` },
  footer: { js: `module.exports.bundledVersion = ${JSON.stringify(version)};` },
});
