// Keys for signing: an encrypted keystore file (ethers / Web3 Secret Storage JSON) with its
// password from COMMONS_KEYSTORE_PASSWORD or a prompt, or COMMONS_PRIVATE_KEY. Never a plaintext
// key on the command line (it would end up in shell history and process lists). `commons keys`
// creates a keystore; `commons fund` gives a key gas on the local chain.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { Wallet, formatEther, isKeystoreJson, parseEther, toQuantity } from "ethers";
import type { Command } from "commander";
import type { Provider } from "ethers";
import { DEV_CHAIN_ID } from "../lib/core/dev-chain-keys.js";
import { connect, resolveTarget } from "./context.js";
import type { GlobalOptions } from "./context.js";
import { out } from "./format.js";
import { CliInputError, parseAddress } from "./inputs.js";

async function prompt(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new CliInputError("--keystore", "set COMMONS_KEYSTORE_PASSWORD (no terminal to ask for the password)");
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  // Hide the typed password.
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
    if (s.startsWith(question)) process.stderr.write(question);
  };
  const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
  rl.close();
  process.stderr.write("\n");
  return answer;
}

async function password(question: string): Promise<string> {
  const fromEnv = process.env.COMMONS_KEYSTORE_PASSWORD;
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : prompt(question);
}

/** Checks the key source exists and is well formed, without decrypting (cheap, no RPC). */
export function checkKeySource(keystore: string | undefined): void {
  if (keystore !== undefined) {
    if (!existsSync(keystore)) throw new CliInputError("--keystore", `file "${keystore}" does not exist`);
    if (!isKeystoreJson(readFileSync(keystore, "utf8"))) throw new CliInputError("--keystore", `"${keystore}" is not an encrypted JSON keystore`);
    return;
  }
  const key = process.env.COMMONS_PRIVATE_KEY;
  if (key === undefined || key === "") throw new CliInputError("key", "no key: pass --keystore FILE or set COMMONS_PRIVATE_KEY");
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(key)) throw new CliInputError("COMMONS_PRIVATE_KEY", "is not a 32-byte hex private key");
}

export async function loadSigner(keystore: string | undefined, provider?: Provider): Promise<Wallet> {
  checkKeySource(keystore);
  let wallet: Wallet;
  if (keystore !== undefined) {
    const json = readFileSync(keystore, "utf8");
    try {
      wallet = (await Wallet.fromEncryptedJson(json, await password(`Password for ${keystore}: `))) as Wallet;
    } catch (error) {
      if (error instanceof CliInputError) throw error;
      throw new CliInputError("--keystore", `cannot decrypt "${keystore}": wrong password?`);
    }
  } else {
    const key = process.env.COMMONS_PRIVATE_KEY!;
    wallet = new Wallet(key.startsWith("0x") ? key : `0x${key}`);
  }
  return provider ? wallet.connect(provider) : wallet;
}

export async function createKeystore(out: string, privateKey?: string): Promise<string> {
  if (existsSync(out)) throw new CliInputError("--out", `"${out}" exists; refusing to overwrite a keystore`);
  const pass = await password(`New password for ${out}: `);
  if (pass.length < 8) throw new CliInputError("password", "must be at least 8 characters");
  const wallet = privateKey ? new Wallet(privateKey) : Wallet.createRandom();
  writeFileSync(out, await wallet.encrypt(pass), { mode: 0o600 });
  return wallet.address;
}

export function registerKeys(program: Command): void {
  program
    .command("keys")
    .description("create an encrypted keystore (password from COMMONS_KEYSTORE_PASSWORD or a prompt)")
    .requiredOption("--out <file>", "where to write the keystore")
    .option("--import-env", "encrypt the key in COMMONS_PRIVATE_KEY instead of a new random one")
    .action(async (o: { out: string; importEnv?: boolean }) => {
      if (o.importEnv) checkKeySource(undefined);
      const address = await createKeystore(o.out, o.importEnv ? process.env.COMMONS_PRIVATE_KEY : undefined);
      out(`${address} -> ${o.out}`);
    });
}

/** The most `commons fund` gives at once: plenty of gas for a person, not a way to mint a fortune by mistake. */
const FUND_MAX_ETH = 100;

/**
 * `commons fund`: on the local development chain only, gives an address ETH for gas. It adds to the
 * balance through the node's own method (anvil_setBalance, or hardhat_setBalance) instead of a
 * transfer from a dev account: the relayer pays with dev account 0, and a second sender on that
 * account would race the relayer's transaction nonces.
 */
export function registerFund(program: Command): void {
  program
    .command("fund")
    .description("local chain only: give an address ETH to pay gas (a new key starts with none; --relayer needs none)")
    .argument("<address>", "who gets the ETH")
    .option("--amount <eth>", `ETH to add, up to ${FUND_MAX_ETH}`, "1")
    .action(async (who: string, o: { amount: string }) => {
      const address = parseAddress("address", who);
      let amount: bigint;
      try {
        amount = parseEther(o.amount);
      } catch {
        throw new CliInputError("--amount", `"${o.amount}" is not an amount of ETH (e.g. 1 or 0.5)`);
      }
      if (amount <= 0n || amount > parseEther(String(FUND_MAX_ETH)))
        throw new CliInputError("--amount", `must be more than 0 and at most ${FUND_MAX_ETH} ETH, not ${o.amount}`);
      const target = resolveTarget(program.opts<GlobalOptions>());
      const provider = await connect(target);
      const { chainId } = await provider.getNetwork();
      const node = String(await provider.send("web3_clientVersion", []).catch(() => ""));
      const method = /anvil/i.test(node) ? "anvil_setBalance" : /hardhat/i.test(node) ? "hardhat_setBalance" : undefined;
      if (chainId !== BigInt(DEV_CHAIN_ID) || method === undefined) {
        throw new CliInputError(
          "fund",
          `gives ETH on the local development chain only (anvil, chain ${DEV_CHAIN_ID}); ${target.rpc} is chain ${chainId}${node ? ` (${node})` : ""}: ` +
            "get ETH for that chain from someone who holds it, or send your records through a relayer (--relayer), which pays the gas",
        );
      }
      const before = await provider.getBalance(address);
      await provider.send(method, [address, toQuantity(before + amount)]);
      const after = await provider.getBalance(address);
      out(`${address} now holds ${formatEther(after)} ETH on the local chain (was ${formatEther(before)})`);
    });
}
