// `commons verify`: the auditor's check of a whole ledger (scripts/lib/verify/): every signature,
// the hash chain, the checkpoints and the head against the chain. Exit 1 when it does not verify.
import type { Command } from "commander";
import { verifyLedger } from "../lib/verify/ledger.js";
import { connect, resolveTarget } from "./context.js";
import type { GlobalOptions } from "./context.js";
import { json, out, progress } from "./format.js";

export function registerVerify(program: Command): void {
  program
    .command("verify")
    .description("fetch the whole log, check every signature, recompute the hash chain, compare with the chain")
    .option("--json", "JSON output")
    .action(async (o: { json?: boolean }) => {
      const target = resolveTarget(program.opts<GlobalOptions>());
      const provider = await connect(target);
      const report = await verifyLedger(provider, target.ledger, {
        fromBlock: target.fromBlock,
        onProgress: progress("reading logs"),
        onSignatures: progress("signatures "),
      });
      if (o.json) out(json({ ...report, events: undefined }));
      else {
        out(`ledger ${target.ledger} at block ${report.block}: ${report.entries} entries, ${report.checkpoints} checkpoints`);
        const undecided = report.undecided.length;
        out(`signatures: ${report.eoaSignatures} EOA and ${report.contractSignatures} ERC-1271 verified${undecided > 0 ? `, ${undecided} undecided` : ""}`);
        out(`head recomputed ${report.head}, on chain ${report.onChainHead}`);
        for (const p of report.problems.slice(0, 20)) out(`PROBLEM at entry ${p.id}: ${p.reason}`);
        if (report.problems.length > 20) out(`... and ${report.problems.length - 20} more`);
        for (const u of report.undecided.slice(0, 20)) out(`UNDECIDED at entry ${u.id}: ${u.reason}`);
        if (undecided > 20) out(`... and ${undecided - 20} more undecided`);
        const except = undecided > 0 ? `, except ${undecided === 1 ? "1 entry" : `${undecided} entries`} it cannot decide here (UNDECIDED above)` : "";
        out(report.ok ? `OK: the ledger verifies${except}` : `FAILED: ${report.problems.length} problem(s); first at entry ${report.problems[0].id}`);
      }
      if (!report.ok) process.exitCode = 1;
    });
}
