// Import rules of Commons Ledger, checked by dependency-cruiser (`npm run lint:imports`, and in
// `npm test` by test/import-rules.test.ts, which also proves that every rule fires on a wrong import).
// The folders and why they are cut this way: scripts/README.md.
//
//   browser-safe: scripts/lib/core/ and the domains scripts/lib/{supply,reciprocity,distribution}/
//                 (the app bundles them; the CLI and the relayer use the same code)
//   node-only:    scripts/lib/{verify,relayer,node,kit}/
//   outside lib:  scripts/bench/ (benchmarks), scripts/demo/ (what npm start seeds), scripts/cli/ and
//                 the entry points at scripts/, test/, app/src/
const path = require("node:path");

/** The browser-safe folders, as a regex on paths from the repository root. */
const BROWSER_SAFE = "^scripts/lib/(core|supply|reciprocity|distribution)/";
/** Files of this repository (as opposed to npm packages and node's built-in modules). */
const OURS = "^(scripts|app|test|types|contracts)/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "browser-safe-no-node-builtins",
      comment: "core/ and the browser-safe domains run in the browser (the app bundles them): no node:* or other built-in module.",
      severity: "error",
      from: { path: BROWSER_SAFE },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "browser-safe-no-node-packages",
      comment:
        "core/ and the browser-safe domains run in the browser: no npm package that only works in node (the Hardhat toolchain, the native secp256k1 binding, the browser driver, the build tools, the CLI parser).",
      severity: "error",
      from: { path: BROWSER_SAFE },
      to: { path: "(^|/)node_modules/(hardhat|@nomicfoundation/[^/]+|secp256k1|playwright-core|vite|@vitejs/[^/]+|commander|tsx|mocha|chai)/" },
    },
    {
      name: "browser-safe-imports-browser-safe",
      comment:
        "core/ and the browser-safe domains import nothing node-only of ours (verify/, relayer/, node/, kit/), nor benchmarks, the demo, the CLI, entry points, tests or the app: whatever they import ends up in the app's bundle.",
      severity: "error",
      from: { path: BROWSER_SAFE },
      to: { path: OURS, pathNot: BROWSER_SAFE },
    },
    {
      name: "core-imports-only-core",
      comment: "core/ is the bottom layer every other folder builds on: it imports no domain (a domain imports core, never the reverse).",
      severity: "error",
      from: { path: "^scripts/lib/core/" },
      to: { path: "^scripts/lib/(supply|reciprocity|distribution)/" },
    },
    {
      name: "domains-independent",
      comment:
        "supply/, reciprocity/ and distribution/ each import core/ and their own folder only, so that each can change (or be dropped from the app) alone; what two of them need goes into core/.",
      severity: "error",
      from: { path: "^scripts/lib/(supply|reciprocity|distribution)/" },
      to: { path: "^scripts/lib/(supply|reciprocity|distribution)/", pathNot: "^scripts/lib/$1/" },
    },
    {
      name: "verify-imports-core-and-supply",
      comment:
        "verify/ checks what core/ reads (signatures, the hash chain) and supply/'s hops; it does not reach into the relayer, node plumbing or fixtures.",
      severity: "error",
      from: { path: "^scripts/lib/verify/" },
      to: { path: OURS, pathNot: "^scripts/lib/(verify|core|supply)/" },
    },
    {
      name: "relayer-imports-core-verify-node",
      comment: "relayer/ is built from core/ (records, reader), verify/ (admission's signature checks) and node/ (the entry cache); nothing else.",
      severity: "error",
      from: { path: "^scripts/lib/relayer/" },
      to: { path: OURS, pathNot: "^scripts/lib/(relayer|core|verify|node)/" },
    },
    {
      name: "indexer-imports-core",
      comment:
        "scripts/indexer/ (the Ponder indexer) decodes, hashes and derives states with core/ (the Ledger) and reciprocity/ (the registry's records) alone, so that it agrees with every other reader by construction; Ponder's virtual modules (ponder:*) are its own.",
      severity: "error",
      from: { path: "^scripts/indexer/" },
      to: { path: OURS, pathNot: "^scripts/(indexer/|lib/(core|reciprocity)/)" },
    },
    {
      name: "lib-not-entry-points-bench-demo-cli",
      comment:
        "scripts/lib/ is what entry points, benchmarks, the demo and the CLI share: it never imports them back (entry points at scripts/, scripts/cli/, scripts/bench/, scripts/demo/), nor tests or the app.",
      severity: "error",
      from: { path: "^scripts/lib/" },
      to: { path: "^(scripts/(bench|demo|cli)/|scripts/[^/]+$|test/|app/)" },
    },
    {
      name: "app-imports-app-and-browser-safe",
      comment:
        "The app (app/src) imports its own files, npm packages and the browser-safe lib folders only: no node built-in, nothing node-only of ours, no demo file, benchmark or test.",
      severity: "error",
      from: { path: "^app/src/" },
      // (contracts/generated and contracts/addresses: written by export-contracts, unresolved until it ran.)
      to: { pathNot: ["^app/src/", "(^|/)node_modules/", BROWSER_SAFE, "^\\.\\.?/contracts/(generated|addresses)$"] },
    },
    {
      name: "app-reaches-lib-through-aliases",
      comment:
        "The app names the shared code by its aliases (@core/, @supply/, @reciprocity/, @distribution/: app/tsconfig.json paths, app/vite.config.ts resolve.alias), never by ../../../scripts paths.",
      severity: "error",
      from: { path: "^app/src/" },
      to: { path: "^scripts/", dependencyTypesNot: ["aliased-tsconfig-paths"] },
    },
    {
      name: "bench-only-in-bench",
      comment:
        "Benchmarks and their kits (scripts/bench/) are imported by nothing outside scripts/bench/: fixtures that tests share with benchmarks live in scripts/lib/kit/.",
      severity: "error",
      from: { pathNot: "^scripts/bench/" },
      to: { path: "^scripts/bench/" },
    },
    {
      name: "demo-only-in-demo-tests-and-start",
      comment:
        "The demo (seeds, demo people, demo files in scripts/demo/) is imported only by itself, by tests and by scripts/start.ts, the entry point that seeds it. The app gets the demo's names and equation at runtime from the app server; dev-chain keys live in core/dev-chain-keys.ts.",
      severity: "error",
      from: { pathNot: "^(scripts/demo/|test/|scripts/start\\.ts$)" },
      to: { path: "^scripts/demo/" },
    },
    {
      name: "no-unresolvable",
      comment:
        "Every import of the app and of scripts/ resolves (a misconfigured alias would otherwise hide an import from the rules above). Generated files (app/src/contracts/generated.ts and addresses.ts, types/) may be absent before a build.",
      severity: "error",
      from: { path: "^(app/src|scripts)/" },
      to: { couldNotResolve: true, pathNot: ["contracts/(generated|addresses)$", "(^|/)types/ethers-contracts/", "^ponder:(registry|schema|api)$"] },
    },
  ],
  options: {
    doNotFollow: { path: "(^|/)node_modules/" },
    exclude: { path: "^(artifacts|cache|app/dist|coverage|scripts/ignition/deployments)/" },
    // Type-only imports count: a type import of a node-only module drags its folder into the app's
    // type check, and says the same thing about the architecture as a value import.
    tsPreCompilationDeps: true,
    // The app's tsconfig carries the aliases; its other options do not change how relative
    // imports resolve. Imports carry .js extensions (ESM); dependency-cruiser maps them to .ts.
    // (An absolute path: with a relative one, dependency-cruiser 17 finds no inputs in a tsconfig
    // outside the working directory.)
    tsConfig: { fileName: path.join(__dirname, "app", "tsconfig.json") },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
    skipAnalysisNotInRules: true,
  },
};
