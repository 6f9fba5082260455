// mocha runs the TypeScript tests directly through tsx; the kernel the protocol tests spawn is the
// tsc build in dist/ (npm test builds first). No `spec` here: mocha appends CLI files to a
// configured spec, so `npx mocha test/x.test.ts` would run everything. npm test names the glob.
module.exports = {
  "node-option": ["import=tsx", "expose-gc"],
  timeout: 120000,
  reporter: require("node:path").join(__dirname, "test", "helpers", "reporter.cjs"),
  exit: true,
};
