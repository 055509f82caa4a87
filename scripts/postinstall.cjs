// Hardhat 3 needs Node 22 and its EDR native binding. npm running under an older system Node skips
// that binding (EBADENGINE on an optional dependency), so after such an install we run npm once
// more under the Node 22 that the `node` devDependency puts first on PATH in npm scripts.
const { execSync } = require("node:child_process");
const major = Number(process.versions.node.split(".")[0]);
function hasBinding() {
  try {
    require.resolve("@nomicfoundation/edr-linux-x64-gnu/package.json", { paths: [process.cwd()] });
    return true;
  } catch {
    return false;
  }
}
if (process.platform !== "linux" || process.arch !== "x64" || hasBinding()) process.exit(0);
if (major < 22) {
  console.error(`postinstall: running under Node ${process.versions.node}; Node 22 is not on PATH yet, skipping`);
  process.exit(0);
}
console.log(`postinstall: installing the EDR native binding under Node ${process.versions.node}`);
execSync("npm install --ignore-scripts --no-audit --no-fund", { stdio: "inherit" });
if (!hasBinding()) {
  console.error("postinstall: the EDR native binding is still missing; run `PATH=$PWD/node_modules/.bin:$PATH npm install`");
  process.exit(1);
}
