#!/usr/bin/env node
// scripts/pack_addon.js
// `npm pack` / `npm publish` helper (package.json prepack/postpack). The tarball carries the built
// native addon at dist/native/build/Release/tsgrad_native.node, the first place
// runtime/tensor/cpu/native.ts looks from dist/. It is copied there only while packing, so a
// checkout never loads a stale copy after rebuilding native/. Copying (not listing
// native/build/ in "files") also packs the addon when native/build is a symlink, which npm
// does not follow.
//   node scripts/pack_addon.js copy | clean
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const from = path.join(root, "native", "build", "Release", "tsgrad_native.node");
const toDir = path.join(root, "dist", "native");
const to = path.join(toDir, "build", "Release", "tsgrad_native.node");

const cmd = process.argv[2];
if (cmd === "copy") {
  if (!fs.existsSync(from)) {
    console.warn(`pack_addon: ${from} is not built; the package will use the TypeScript CPU backend (run ./install.sh first)`);
  } else {
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(from, to);
  }
} else if (cmd === "clean") {
  fs.rmSync(toDir, { recursive: true, force: true });
} else {
  console.error("usage: pack_addon.js copy|clean");
  process.exit(2);
}
