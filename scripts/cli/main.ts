// `commons`: the command line of Commons Ledger. Contributors sign claims (gasless through a
// relayer), peers validate, anyone lists, verifies, reads the accounts and exports the ledger.
// Every input is validated before the first RPC call; errors are one line on stderr. This file
// assembles the program: each command group lives in its own file and registers its commands
// here, in the order `commons --help` lists them.
import { Command, CommanderError, Option } from "commander";
import { lacksGas, noGasSentence, revertSentence } from "../lib/core/contract-errors.js";
import { RecordInputError } from "../lib/core/vocabulary.js";
import { registerCoordinate } from "./coordinate.js";
import { registerDistribute, registerDistributionObjections } from "./distribute.js";
import { registerGovern } from "./govern.js";
import { registerIndex } from "./index-server.js";
import { CliInputError } from "./inputs.js";
import { registerFund, registerKeys } from "./keys.js";
import { registerLicense } from "./license.js";
import { registerNames } from "./names.js";
import { registerPerson } from "./person.js";
import { registerAccounts, registerRead } from "./read.js";
import { registerRecord } from "./record.js";
import { registerSimulate } from "./simulate.js";
import { registerSupply } from "./supply.js";
import { registerValidate } from "./validate.js";
import { registerVerify } from "./verify.js";

const program = new Command("commons")
  .description("Commons Ledger: signed, append-only open value accounting")
  .addOption(new Option("--rpc <url>", "JSON-RPC endpoint (default: COMMONS_RPC_URL or http://127.0.0.1:8545)"))
  .addOption(new Option("--ledger <address>", "Ledger contract (default: COMMONS_LEDGER or data/deployment.json)"))
  .addOption(new Option("--from-block <n>", "first block to read events from"))
  .addOption(new Option("--chain-id <id>", "expected chain id (checked against the RPC; lets claim sign offline)"))
  .addOption(new Option("--timeout <ms>", "RPC request timeout in milliseconds (default 30000)"))
  .showHelpAfterError(false)
  .exitOverride();

// ------------------------------------------------------------------ command groups

registerKeys(program); // keys
registerFund(program); // fund
registerRecord(program); // claim, submit
registerValidate(program); // validate
registerRead(program); // list, show
registerVerify(program); // verify
registerAccounts(program); // accounts, export
registerNames(program); // names, name set
registerPerson(program); // person
registerGovern(program);
registerLicense(program);
registerDistribute(program);
registerDistributionObjections(program);
registerSupply(program);
registerSimulate(program);
registerCoordinate(program); // commit
registerIndex(program);

// ------------------------------------------------------------------ run

export async function main(argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not errors; commander already printed its one-line message.
      return error.exitCode === 0 || error.code === "commander.helpDisplayed" || error.code === "commander.help" ? 0 : 2;
    }
    const short = lacksGas(error);
    const message =
      revertSentence(error) ??
      (short
        ? noGasSentence(short.account, ` (--relayer <url>), or, on the local chain, give the key ETH: commons fund ${short.account ?? "<address>"}`)
        : undefined) ??
      (error instanceof Error ? error.message : String(error));
    process.stderr.write(`commons: ${message.split("\n")[0]}\n`);
    return error instanceof CliInputError || error instanceof RecordInputError ? 2 : 1;
  }
}
