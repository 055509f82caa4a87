import path from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The app reuses the browser-safe TypeScript in ../scripts/lib (the core and the supply,
// reciprocity and distribution domains) through these aliases, the same as app/tsconfig.json's
// `paths`; .dependency-cruiser.cjs checks that nothing else outside app/ is imported.
const lib = (folder: string) => path.resolve(import.meta.dirname, "..", "scripts", "lib", folder);

export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  plugins: [react()],
  resolve: {
    alias: {
      "@core": lib("core"),
      "@supply": lib("supply"),
      "@reciprocity": lib("reciprocity"),
      "@distribution": lib("distribution"),
    },
  },
  server: { fs: { allow: [".."] } },
  // The workers are module workers (new Worker(..., { type: "module" })): as ES modules their
  // bundles split like the page's, so what they import lazily (hash-wasm's keccak) stays a chunk of
  // its own instead of the whole package inlined.
  worker: { format: "es" },
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 2000 },
});
