// A misbehaving JSON-RPC node for fault tests: an HTTP proxy on 127.0.0.1 (free port) in front of
// a real node (anvil) that, following a seeded fault plan, answers HTTP 429 or 5xx, drops the
// connection, answers too late or with malformed JSON, rate-limits with a JSON-RPC error (HTTP 200,
// -32005, as Infura does), and enforces the eth_getLogs limits of
// public providers (a maximum block span and a maximum number of results, refused with their
// usual error codes and messages). It counts requests by method so that tests can assert that no
// RPC call was made, or that retries stayed bounded. JSON-RPC batches (arrays) are supported.
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { seededRandom } from "../../scripts/lib/core/random.js";

export type FaultKind = "http429" | "http500" | "http502" | "http503" | "drop" | "slow" | "malformed" | "rpcRateLimit";
export const FAULT_KINDS: readonly FaultKind[] = ["http429", "http500", "http502", "http503", "drop", "slow", "malformed", "rpcRateLimit"];

export interface FaultPlan {
  /** Seed of the fault sequence: the same plan and request sequence give the same faults. */
  seed?: number;
  /** Probability of each fault per HTTP request (a batch is one request). */
  rates?: Partial<Record<FaultKind, number>>;
  /** Every request gets this fault (a node that keeps failing); overrides `rates`. */
  always?: FaultKind;
  /** This many requests pass untouched before faults start (e.g. a client's connection probe). */
  spare?: number;
  /** Only requests that contain one of these methods can be faulted. */
  methods?: readonly string[];
  /** At most this many faulted requests in a row (then one passes). Default: unlimited. */
  maxConsecutive?: number;
  /** Delay of a `slow` response, in milliseconds (make it longer than the client's timeout). */
  slowMs?: number;
  /** eth_getLogs: largest block span (to - from + 1) served. */
  maxBlockSpan?: number;
  /** eth_getLogs: largest number of logs served. */
  maxResults?: number;
  /** eth_getLogs: ignore the filter's address (a faulty node that returns every contract's logs). */
  dropAddressFilter?: boolean;
}

export interface FakeRpc {
  url: string;
  /** JSON-RPC calls by method (a batch counts each of its calls). */
  readonly counts: Map<string, number>;
  /** HTTP requests received. */
  readonly requests: () => number;
  /** JSON-RPC calls received (sum of `counts`). */
  readonly calls: () => number;
  /** Faults injected, by kind, plus `spanRefused` and `resultsRefused` for eth_getLogs limits. */
  readonly faults: Map<string, number>;
  count(method: string): number;
  /** The last requests (up to 200): their methods and the fault injected, for failure messages. */
  readonly history: { methods: string[]; fault?: FaultKind }[];
  /** Replaces the plan and clears the counters (the fault sequence restarts from the seed). */
  setPlan(plan: FaultPlan): void;
  reset(): void;
  close(): Promise<void>;
}

interface RpcCall {
  jsonrpc?: string;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

interface RpcReply {
  jsonrpc: "2.0";
  id: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** mulberry32: small, fast and good enough to pick faults. */
const rng = seededRandom;

// How real providers refuse an eth_getLogs that is too wide or returns too much (each is picked in
// turn so that a reader must recognise all of them).
const SPAN_REFUSALS = [
  (max: number) => ({ code: -32005, message: `block range is too wide (maximum ${max} blocks)` }),
  (max: number) => ({ code: -32602, message: `eth_getLogs is limited to a ${max} block range` }),
  (max: number) => ({ code: -32600, message: `exceed maximum block range: ${max}` }),
];
const RESULT_REFUSALS = [
  (max: number, from: number, to: number) => ({
    code: -32005,
    message: `query returned more than ${max} results. Try with this block range [0x${from.toString(16)}, 0x${Math.floor((from + to) / 2).toString(16)}].`,
  }),
  (max: number) => ({
    code: -32602,
    message: `Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the response size, or you can request any block range with a cap of ${max} logs in the response.`,
  }),
];

const HTML_ERROR: Record<number, string> = {
  500: "<html><head><title>500 Internal Server Error</title></head><body><center><h1>500 Internal Server Error</h1></center></body></html>\n",
  502: "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n",
  503: "<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>\n",
};

export async function startFakeRpc(upstream: string, initial: FaultPlan = {}): Promise<FakeRpc> {
  let plan: FaultPlan = initial;
  let random = rng(plan.seed ?? 1);
  let requests = 0;
  let consecutive = 0;
  let spanTurn = 0;
  let resultTurn = 0;
  const counts = new Map<string, number>();
  const history: { methods: string[]; fault?: FaultKind }[] = [];
  const faults = new Map<string, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const bump = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);

  async function upstreamCall(call: RpcCall): Promise<RpcReply> {
    const res = await fetch(upstream, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: call.id ?? null, method: call.method, params: call.params ?? [] }),
    });
    return (await res.json()) as RpcReply;
  }

  async function blockNumber(tag: unknown, latest: () => Promise<number>): Promise<number> {
    if (tag === undefined || tag === null || tag === "latest" || tag === "pending" || tag === "safe" || tag === "finalized") return latest();
    if (tag === "earliest") return 0;
    if (typeof tag === "string" && /^0x[0-9a-f]+$/i.test(tag)) return Number.parseInt(tag, 16);
    if (typeof tag === "number") return tag;
    throw new Error(`bad block tag ${String(tag)}`);
  }

  async function answer(call: RpcCall): Promise<RpcReply> {
    const id = call.id ?? null;
    if (typeof call !== "object" || call === null || typeof call.method !== "string") {
      return { jsonrpc: "2.0", id, error: { code: -32600, message: "invalid request" } };
    }
    if (
      call.method === "eth_getLogs" &&
      plan.dropAddressFilter &&
      Array.isArray(call.params) &&
      typeof call.params[0] === "object" &&
      call.params[0] !== null
    ) {
      const { address: _ignored, ...filter } = call.params[0] as Record<string, unknown>;
      call = { ...call, params: [filter, ...call.params.slice(1)] };
    }
    if (call.method === "eth_getLogs" && (plan.maxBlockSpan !== undefined || plan.maxResults !== undefined)) {
      const filter = (Array.isArray(call.params) ? call.params[0] : undefined) as { fromBlock?: unknown; toBlock?: unknown; blockHash?: unknown } | undefined;
      let head: Promise<number> | undefined;
      const latest = () => (head ??= upstreamCall({ id: 0, method: "eth_blockNumber", params: [] }).then((r) => Number(BigInt(r.result as string))));
      let from = 0;
      let to = 0;
      if (filter && filter.blockHash === undefined) {
        try {
          from = await blockNumber(filter.fromBlock, latest);
          to = await blockNumber(filter.toBlock, latest);
        } catch (error) {
          return { jsonrpc: "2.0", id, error: { code: -32602, message: (error as Error).message } };
        }
        if (plan.maxBlockSpan !== undefined && to - from + 1 > plan.maxBlockSpan) {
          bump(faults, "spanRefused");
          return { jsonrpc: "2.0", id, error: SPAN_REFUSALS[spanTurn++ % SPAN_REFUSALS.length](plan.maxBlockSpan) };
        }
      }
      const reply = await upstreamCall(call);
      if (plan.maxResults !== undefined && Array.isArray(reply.result) && reply.result.length > plan.maxResults) {
        bump(faults, "resultsRefused");
        return { jsonrpc: "2.0", id, error: RESULT_REFUSALS[resultTurn++ % RESULT_REFUSALS.length](plan.maxResults, from, to) };
      }
      return reply;
    }
    return upstreamCall(call);
  }

  function pickFault(methods: string[]): FaultKind | undefined {
    const n = requests;
    if (n <= (plan.spare ?? 0)) return undefined;
    if (plan.methods && !methods.some((m) => plan.methods!.includes(m))) return undefined;
    let fault: FaultKind | undefined = plan.always;
    if (fault === undefined && plan.rates) {
      const x = random();
      let acc = 0;
      for (const kind of FAULT_KINDS) {
        acc += plan.rates[kind] ?? 0;
        if (x < acc) {
          fault = kind;
          break;
        }
      }
    }
    if (fault !== undefined && plan.always === undefined && plan.maxConsecutive !== undefined && consecutive >= plan.maxConsecutive) fault = undefined;
    consecutive = fault === undefined ? 0 : consecutive + 1;
    return fault;
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        requests++;
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch {
          bump(counts, "(unparsable)");
          res
            .writeHead(400, { "content-type": "application/json" })
            .end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } }));
          return;
        }
        const batch = Array.isArray(body);
        const calls = (batch ? body : [body]) as RpcCall[];
        const methods = calls.map((c) => (typeof c?.method === "string" ? c.method : "(invalid)"));
        for (const m of methods) bump(counts, m);
        const fault = pickFault(methods);
        if (fault) bump(faults, fault);
        history.push({ methods, fault });
        if (history.length > 200) history.shift();
        switch (fault) {
          case "drop":
            req.socket.destroy();
            return;
          case "http429":
            res
              .writeHead(429, { "content-type": "application/json", "retry-after": "1" })
              .end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: 429, message: "Too Many Requests" } }));
            return;
          case "rpcRateLimit": {
            const limited = calls.map((c) => ({
              jsonrpc: "2.0",
              id: c?.id ?? null,
              error: { code: -32005, message: "daily request count exceeded, request rate limited" },
            }));
            res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(batch ? limited : limited[0]));
            return;
          }
          case "http500":
          case "http502":
          case "http503": {
            const status = Number(fault.slice(4));
            res.writeHead(status, { "content-type": "text/html" }).end(HTML_ERROR[status]);
            return;
          }
        }
        let replies: RpcReply[];
        try {
          replies = await Promise.all(calls.map((c) => answer(c)));
        } catch (error) {
          // The upstream node itself is unreachable: a gateway error, as a real proxy would give.
          if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" }).end(`upstream: ${(error as Error).message}\n`);
          return;
        }
        let text = JSON.stringify(batch ? replies : replies[0]);
        if (fault === "malformed") {
          // A truncated body, or an HTML page where JSON was expected, each half of the time.
          text = random() < 0.5 ? text.slice(0, Math.max(1, Math.floor(text.length / 2))) : "<html><body>upstream returned an invalid response</body></html>";
        }
        const send = () => {
          if (res.destroyed || res.writableEnded) return;
          res.writeHead(200, { "content-type": "application/json" }).end(text);
        };
        if (fault === "slow") {
          const timer = setTimeout(() => {
            timers.delete(timer);
            send();
          }, plan.slowMs ?? 5_000);
          timers.add(timer);
        } else send();
      })();
    });
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const reset = () => {
    requests = 0;
    consecutive = 0;
    spanTurn = 0;
    resultTurn = 0;
    counts.clear();
    faults.clear();
    history.length = 0;
    random = rng(plan.seed ?? 1);
  };

  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    faults,
    history,
    requests: () => requests,
    calls: () => [...counts.values()].reduce((a, b) => a + b, 0),
    count: (method: string) => counts.get(method) ?? 0,
    setPlan(p: FaultPlan) {
      plan = p;
      reset();
    },
    reset,
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}
