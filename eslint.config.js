// ESLint for the TypeScript side (scripts/, test/, app/): `npm run lint:ts`.
// Formatting is Prettier's job (`npm run format`), so eslint-config-prettier comes last and turns
// off every rule that would argue with it. Import rules (which folder may import which) are checked
// by `npm run lint:imports`, not here.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import reactHooks from "eslint-plugin-react-hooks";
import { defineConfig, globalIgnores } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig(
  // Generated or written by tools, never by hand.
  globalIgnores([
    "artifacts/",
    "cache/",
    "types/",
    "coverage/",
    "dist/",
    "app/dist/",
    "app/src/contracts/generated.ts",
    "bench/results/",
    "data/",
    "snapshots/",
    "test-results/",
    "scripts/ignition/deployments/",
    // Written by Ponder on every start, byte for byte (scripts/indexer/ponder-env.d.ts).
    "scripts/indexer/ponder-env.d.ts",
    "scripts/indexer/.ponder/",
    "scripts/indexer/generated/",
  ]),

  js.configs.recommended,
  tseslint.configs.recommended,

  {
    name: "commons-ledger/all",
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // As tsc's noUnusedLocals/noUnusedParameters, plus the usual escapes: `_name` for a
      // parameter or binding kept on purpose, and `{ dropped, ...rest }` to omit a key.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      // `import type` keeps type-only imports out of the emitted JS (tsconfig verbatimModuleSyntax).
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "separate-type-imports" }],
    },
  },

  // Node: the CLI, relayer, scripts, benchmarks, tests and tool configs.
  {
    name: "commons-ledger/node",
    files: ["scripts/**/*.{ts,mjs,cjs,js}", "test/**/*.ts", "*.{ts,js,mjs,cjs}", "app/vite.config.ts"],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    name: "commons-ledger/cjs",
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
    rules: {
      // A .cjs file is CommonJS by definition: `require` is how it imports.
      "@typescript-eslint/no-require-imports": "off",
    },
  },
  {
    name: "commons-ledger/tests",
    files: ["test/**/*.ts"],
    languageOptions: { globals: { ...globals.mocha } },
    rules: {
      // chai's property assertions (`expect(x).to.be.true`) are expressions by design.
      "@typescript-eslint/no-unused-expressions": "off",
    },
  },

  // The app: browser code and React hooks.
  {
    name: "commons-ledger/app",
    files: ["app/src/**/*.{ts,tsx}"],
    languageOptions: { globals: { ...globals.browser } },
    extends: [reactHooks.configs.flat.recommended],
  },
  {
    name: "commons-ledger/workers",
    files: ["app/src/workers/**/*.ts"],
    languageOptions: { globals: { ...globals.worker } },
  },

  prettier,
);
