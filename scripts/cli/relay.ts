// Sending a signed message through a relayer from a write command: its --relayer, --out and --wait
// options (checked before any RPC call), and submit-then-wait with the relayer's client. One copy
// for validate, declare, grant, commit and submit.
import { RelayerClient } from "../lib/core/relayer-client.js";
import type { SignedRecordJson } from "../lib/core/record.js";
import type { RelayState } from "../lib/core/relayer-client.js";
import { CliInputError, parseUint, parseUrl } from "./inputs.js";

/** --relayer, --out and --wait: the relayer's URL and how long to wait (undefined: do not wait). */
export function relayOptions(o: { relayer?: string; out?: string; wait?: string | true }, waitHint = ""): { relayer?: string; waitSeconds?: number } {
  const relayer = o.relayer !== undefined ? parseUrl("--relayer", o.relayer) : undefined;
  if (relayer && o.out !== undefined) throw new CliInputError("--out", "give --relayer (send it) or --out (write it), not both");
  if (o.wait !== undefined && !relayer) throw new CliInputError("--wait", `waits for a relayer: give --relayer${waitHint}`);
  const waitSeconds = o.wait === undefined ? undefined : o.wait === true ? 60 : Number(parseUint("--wait", o.wait, 3600n));
  if (waitSeconds === 0) throw new CliInputError("--wait", "must be at least 1 second");
  return { relayer, waitSeconds };
}

/**
 * Submits `signed` to the relayer (a refusal throws its sentence). With `waitSeconds` it follows the
 * message until it is recorded or failed; without, it returns the state the relayer answered.
 */
export async function relay(url: string, signed: object, waitSeconds: number | undefined): Promise<RelayState> {
  const rc = new RelayerClient(url, { timeoutMs: 30_000 });
  const s = await rc.submit(signed);
  if (waitSeconds === undefined || s.state === "recorded" || s.state === "failed") return s;
  return rc.waitFor(s.digest, { timeoutMs: waitSeconds * 1000 });
}

/**
 * Submits signed records (and corrections) to the relayer, all before waiting, then follows each
 * until it is recorded: their entries and transactions, in order. A refusal or a failure throws a
 * sentence naming `what`.
 */
export async function relayRecords(url: string, signed: SignedRecordJson[], what: string, waitSeconds = 120): Promise<{ id: bigint; txHash: string }[]> {
  const rc = new RelayerClient(url, { timeoutMs: 30_000 });
  const states = [];
  for (const json of signed) states.push(await rc.submit(json));
  const until = Date.now() + waitSeconds * 1000;
  const done = [];
  for (const s of states) {
    const end = s.state === "recorded" || s.state === "failed" ? s : await rc.waitFor(s.digest, { timeoutMs: Math.max(1, until - Date.now()) });
    if (end.state !== "recorded") throw new Error(`the relayer could not record ${what}: ${end.error ?? `it is still ${end.state} (${end.digest})`}`);
    done.push({ id: BigInt(end.entryId!), txHash: end.txHash ?? "" });
  }
  return done;
}
