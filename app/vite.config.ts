import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The app reuses the pure TypeScript core in ../scripts/lib (records, views, exports, proofs).
export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  plugins: [react()],
  server: { fs: { allow: [".."] } },
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 2000 },
});
