#!/usr/bin/env node
// `npx commons ...`: runs the TypeScript CLI through tsx (no build step).
import { register } from "tsx/esm/api";

// A reader that closes the pipe early (`| head`) or is gone ends the command quietly, as a Unix
// tool does, instead of with an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (error) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
  });

register();
const { main } = await import("./cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
