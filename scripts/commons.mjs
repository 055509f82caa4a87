#!/usr/bin/env node
// `npx commons ...`: runs the CLI from a bundle of its TypeScript, built on first use and whenever a
// source changed (cli-bundle.mjs), or from the sources through tsx if it cannot be built.
import { loadCli } from "./cli-bundle.mjs";

// A reader that closes the pipe early (`| head`) or is gone ends the command quietly, as a Unix
// tool does, instead of with an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (error) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
  });

const main = await loadCli();
process.exitCode = await main(process.argv.slice(2));
