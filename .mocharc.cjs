// mocha runs the TypeScript tests directly through tsx; the kernel the protocol tests spawn is the
// tsc build in dist/ (npm test builds first).
module.exports = {
  spec: ["test/**/*.test.ts"],
  "node-option": ["import=tsx", "expose-gc"],
  timeout: 120000,
  exit: true,
};
