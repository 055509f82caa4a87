// The relayer's HTTP API (scripts/lib/relayer/service.ts): POST /records, GET /records/<digest>.
import { toSignedJson } from "@core/record.js";
import type { LedgerRecord } from "@core/record.js";

export interface RelayState {
  digest: string;
  state: "queued" | "sending" | "recorded" | "failed";
  entryId: string | null;
  txHash: string | null;
  error: string | null;
}

export class RelayerError extends Error {}

async function call(url: string, init?: RequestInit): Promise<RelayState> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch {
    throw new RelayerError(`the relayer at ${new URL(url).origin} is not reachable`);
  }
  const body = (await res.json().catch(() => ({}))) as Partial<RelayState> & { error?: string };
  if (!res.ok) throw new RelayerError(`the relayer refused the record: ${body.error ?? `HTTP ${res.status}`}`);
  return body as RelayState;
}

export function relay(relayerUrl: string, chainId: number, ledger: string, record: LedgerRecord, signature: string): Promise<RelayState> {
  const body = toSignedJson({ name: "CommonsLedger", version: "1", chainId: BigInt(chainId), verifyingContract: ledger }, record, signature);
  return call(`${relayerUrl.replace(/\/$/, "")}/records`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

/** Polls the record's state until it is recorded or failed (or `timeoutMs` passes). */
export async function waitRelayed(relayerUrl: string, digest: string, onState: (s: RelayState) => void, timeoutMs = 60_000): Promise<RelayState> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = await call(`${relayerUrl.replace(/\/$/, "")}/records/${digest}`);
    onState(s);
    if (s.state === "recorded" || s.state === "failed") return s;
    if (Date.now() > until) throw new RelayerError(`the relayer has not recorded it after ${timeoutMs / 1000} s (state ${s.state}); it will keep trying`);
    await new Promise((r) => setTimeout(r, 400));
  }
}
