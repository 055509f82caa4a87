// The relayer's HTTP API (scripts/lib/relayer/service.ts) from the client's side: submit a signed
// record (POST /records), read a record's state by its digest (GET /records/<digest>), health
// (GET /health), and wait until a record is recorded. Browser-safe (fetch only): the app, the CLI,
// the benchmarks and the tests share it. A failure is one sentence (RelayerError): the relayer not
// reachable, a replay or conflict (409), a refusal with the relayer's reason (4xx), a relayer that is
// full or cannot check records now (503).
import type { SignedRecordJson } from "./record.js";

export type RelayStateName = "queued" | "sending" | "recorded" | "failed";

/** A record as the relayer reports it (scripts/lib/relayer/admission.ts `view`). */
export interface RelayState {
  digest: string;
  /** A record, a signed validation (its `entryId` is the entry it validates) or a declaration (its `entryId` is the registry's record id). */
  kind: "record" | "validation" | "declaration" | "grant" | "settlement";
  state: RelayStateName;
  entryId: string | null;
  txHash: string | null;
  error: string | null;
  attempts: number;
  receivedAt: string;
}

export interface RelayerHealth {
  ok: boolean;
  chainId: string;
  ledger: string;
  relayer: string;
  queue: Record<RelayStateName, number>;
  /** What the relayer paid today (UTC day, YYYY-MM-DD) and its daily gas budgets ("0": none), as decimal strings. */
  spending: { day: string; gas: string; dailyGas: string; dailyGasPerSigner: string };
}

/** One HTTP exchange: the status and the body (parsed JSON, else the text). */
export interface RelayerReply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** A relayer failure as one sentence; `status` and the relayer's own `reason` when it answered. */
export class RelayerError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly reason?: string,
  ) {
    super(message);
    this.name = "RelayerError";
  }
}

/** What a signed message is, in words, from its JSON type ("commons-ledger/signed-grant@1": "the grant"). */
export function messageWhat(signed: unknown): string {
  const type = (signed as { type?: unknown } | null)?.type;
  const kind = typeof type === "string" ? /^commons-ledger\/signed-([a-z-]+)@/.exec(type)?.[1] : undefined;
  if (!kind || kind === "record") return "the record";
  if (kind === "settlement") return "the settlement order";
  return `the ${kind.replace("-", " ")}`;
}

/** The sentence for a relayer's answer that is not a success. */
export function relayerRefusal(origin: string, status: number, body: unknown, what = "the record"): RelayerError {
  const given = (body as { error?: unknown } | undefined)?.error;
  const reason = typeof given === "string" && given !== "" ? given : undefined;
  const why = reason ?? (typeof body === "string" && body !== "" ? body.slice(0, 200) : "no reason given");
  if (status === 409) return new RelayerError(`the relayer at ${origin} refused ${what} as a replay or a nonce conflict (409): ${why}`, status, reason);
  if (status === 503) return new RelayerError(`the relayer at ${origin} is full or cannot check records now (${why}); retry later`, status, reason);
  if (status === 429) return new RelayerError(`the relayer at ${origin} takes no more records from this signer for now: ${why}`, status, reason);
  if (status >= 400 && status < 500) return new RelayerError(`the relayer at ${origin} refused ${what} (${status}): ${why}`, status, reason);
  return new RelayerError(`the relayer at ${origin} failed (${status}): ${why}`, status, reason);
}

export class RelayerClient {
  /** The base URL, without a trailing slash. */
  readonly url: string;
  readonly origin: string;

  /** `timeoutMs`: how long one request may take (default: no limit). */
  constructor(
    url: string,
    private readonly opts: { timeoutMs?: number } = {},
  ) {
    this.url = url.replace(/\/+$/, "");
    this.origin = new URL(this.url).origin;
  }

  /** One request to `path`; the reply whatever its status. Throws (RelayerError) only when the relayer cannot be reached. */
  async request(path: string, init: RequestInit = {}): Promise<RelayerReply> {
    let response: Response;
    let text: string;
    try {
      const signal = this.opts.timeoutMs !== undefined ? AbortSignal.timeout(this.opts.timeoutMs) : undefined;
      response = await fetch(`${this.url}${path}`, { ...init, ...(signal ? { signal } : {}) });
      text = await response.text();
    } catch (error) {
      // Node's fetch says why in `cause` (ECONNREFUSED, ...); a browser's says nothing more.
      const e = error as { name?: string; cause?: { code?: unknown; message?: unknown } };
      const why =
        e.name === "TimeoutError"
          ? `no answer within ${this.opts.timeoutMs! / 1000} s`
          : typeof e.cause?.code === "string"
            ? e.cause.code
            : typeof e.cause?.message === "string"
              ? e.cause.message
              : undefined;
      throw new RelayerError(`the relayer at ${this.origin} is not reachable${why ? ` (${why})` : ""}; check its URL and that it runs`);
    }
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* keep the text */
    }
    return { status: response.status, body };
  }

  /** POSTs `body` as JSON to /records (one signed record, or an array of them); the reply whatever its status. */
  post(body: unknown): Promise<RelayerReply> {
    return this.request("/records", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  }

  /** Submits one signed message: its state once the relayer accepted it (queued, or already known). A refusal names what it refused. */
  async submit(signed: SignedRecordJson | object): Promise<RelayState> {
    const r = await this.post(signed);
    if (r.status === 200 || r.status === 202) return r.body as RelayState;
    throw relayerRefusal(this.origin, r.status, r.body, messageWhat(signed));
  }

  /** The state of the record with this digest. */
  async state(digest: string): Promise<RelayState> {
    const r = await this.request(`/records/${digest}`);
    if (r.status === 200) return r.body as RelayState;
    if (r.status === 404)
      throw new RelayerError(`the relayer at ${this.origin} holds no record with digest ${digest}`, 404, (r.body as { error?: string }).error);
    throw relayerRefusal(this.origin, r.status, r.body, `GET /records/${digest}`);
  }

  async health(): Promise<RelayerHealth> {
    const r = await this.request("/health");
    if (r.status === 200) return r.body as RelayerHealth;
    throw relayerRefusal(this.origin, r.status, r.body, "GET /health");
  }

  /** Polls the record's state until it is recorded or failed; throws after `timeoutMs` (the relayer keeps trying). */
  async waitFor(digest: string, o: { onState?: (s: RelayState) => void; timeoutMs?: number; intervalMs?: number } = {}): Promise<RelayState> {
    const timeoutMs = o.timeoutMs ?? 60_000;
    const until = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.state(digest);
      o.onState?.(s);
      if (s.state === "recorded" || s.state === "failed") return s;
      if (Date.now() > until)
        throw new RelayerError(`the relayer at ${this.origin} has not recorded ${digest} after ${timeoutMs / 1000} s (state ${s.state}); it will keep trying`);
      await new Promise((r) => setTimeout(r, o.intervalMs ?? 400));
    }
  }
}
