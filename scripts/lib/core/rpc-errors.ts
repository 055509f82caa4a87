// RPC failures, told apart and in a sentence: which to retry (429, 5xx, timeouts, dropped
// connections, bad JSON), which mean "ask for a smaller block range", which are final. Apart from the
// reader (which re-exports it) so that the app's entry can retry its first read without the reader's
// ABI and provider code.

/** Attempts and backoff of a request retried on transient failures. */
export interface RetryOptions {
  /** Attempts per request on transient failures. */
  maxAttempts?: number;
  /** Base delay of the exponential backoff, in milliseconds. */
  backoffMs?: number;
}

export class LedgerReadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LedgerReadError";
  }
}

/** How a failed RPC request is handled: split the range, try again later, or give up. */
export type FailureKind = "range" | "transient" | "fatal";

// Provider refusals of an eth_getLogs range (too many results, range too wide, response too large).
const RANGE_REFUSED =
  /(query returned more than|too many (results|logs)|more than \d+ (results|logs)|block range|range (is )?too (large|wide|big)|range (limit|exceeded)|exceed(s|ed)? (the )?(max(imum)? )?(block )?range|limited to (a )?[\d,]+|response size|log response|ResponseBodyTooLarge|max(imum)? (results|range|block))/i;
// Rate limiting, however it is worded (some providers use -32005 for it too).
const RATE_LIMITED = /(rate.?limit|too many requests|request rate|requests per second|compute units|capacity|throughput|daily request|credits)/i;
// JSON-RPC error messages of a node that is busy or restarting rather than refusing the request.
const TRANSIENT_RPC =
  /(timeout|timed out|temporar(il)?y unavailable|try again|service unavailable|bad gateway|busy|overloaded|header not found|internal server error)/i;
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  shortMessage?: unknown;
  operation?: unknown;
  error?: { code?: unknown; message?: unknown } | null;
  info?: { error?: { code?: unknown; message?: unknown }; responseStatus?: unknown; responseBody?: unknown } | null;
  cause?: unknown;
}

/** Classifies an RPC failure and describes it in one short line. */
export function classifyRpcError(error: unknown): { kind: FailureKind; reason: string } {
  const e = (typeof error === "object" && error !== null ? error : { message: String(error) }) as ErrorLike;
  const text = String(e.shortMessage ?? e.message ?? error).split("\n")[0];
  // A JSON-RPC error object from the node (ethers keeps it in `error` or `info.error`).
  const rpc = e.error && typeof e.error === "object" && "message" in e.error ? e.error : e.info?.error;
  if (rpc && typeof rpc.message === "string") {
    const code = Number(rpc.code);
    const reason = `JSON-RPC error ${Number.isFinite(code) ? `${code} ` : ""}${rpc.message}`.slice(0, 300);
    if (code === 429 || RATE_LIMITED.test(rpc.message)) return { kind: "transient", reason };
    if (RANGE_REFUSED.test(rpc.message) || code === -32005) return { kind: "range", reason };
    if (TRANSIENT_RPC.test(rpc.message)) return { kind: "transient", reason };
    if (e.code === "CALL_EXCEPTION" || code === 3) return { kind: "fatal", reason };
    return { kind: "fatal", reason };
  }
  if (
    (e.code === "UNSUPPORTED_OPERATION" && e.operation === "bodyJson") ||
    /not valid JSON|Unexpected token|JSON at position|Unexpected end of JSON/i.test(text)
  ) {
    return { kind: "transient", reason: "malformed response (not valid JSON)" };
  }
  // An HTTP error status (ethers SERVER_ERROR carries it in info.responseStatus).
  const status = typeof e.info?.responseStatus === "string" ? Number.parseInt(e.info.responseStatus, 10) : NaN;
  if (Number.isFinite(status) && (status < 200 || status > 299)) {
    const reason = `HTTP ${String(e.info!.responseStatus)}${status === 599 ? ` (${text})` : ""}`.slice(0, 200);
    if (status === 413) return { kind: "range", reason };
    if (status === 408 || status === 429 || status >= 500) return { kind: "transient", reason };
    return { kind: "fatal", reason };
  }
  if (e.code === "TIMEOUT" || /timeout|timed out/i.test(text)) return { kind: "transient", reason: `request timed out (${text})` };
  if (e.code === "BAD_DATA" && /missing response/i.test(text)) return { kind: "transient", reason: "the node left a request of a batch unanswered" };
  if (e.code === "SERVER_ERROR") return { kind: "transient", reason: text };
  if (RANGE_REFUSED.test(text) && !RATE_LIMITED.test(text)) return { kind: "range", reason: text };
  // Network failures: Node errors carry an errno code, possibly on a cause (undici's fetch).
  for (let c: unknown = error, depth = 0; c && typeof c === "object" && depth < 4; c = (c as ErrorLike).cause, depth++) {
    const code = (c as ErrorLike).code;
    if (typeof code === "string" && NETWORK_CODES.has(code))
      return { kind: "transient", reason: `connection failed (${code}${text && !text.includes(code) ? `: ${text}` : ""})` };
  }
  if (/socket hang up|other side closed|network error|fetch failed|connection (reset|refused|closed)/i.test(text))
    return { kind: "transient", reason: `connection failed (${text})` };
  if (RATE_LIMITED.test(text) || /\b429\b/.test(text)) return { kind: "transient", reason: text };
  return { kind: "fatal", reason: text.slice(0, 300) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn`, retrying transient failures (429, 5xx, timeouts, dropped connections, bad JSON) with backoff. */
export async function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, opts.maxAttempts ?? 5);
  const base = opts.backoffMs ?? 200;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (error) {
      if (i >= attempts || classifyRpcError(error).kind !== "transient") throw error;
      await sleep(base * 2 ** (i - 1));
    }
  }
}

/** withRetry, then a LedgerReadError naming the request and the reason in one line. */
export async function rpcRetry<T>(what: string, fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  try {
    return await withRetry(fn, opts);
  } catch (error) {
    if (error instanceof LedgerReadError) throw error;
    const { kind, reason } = classifyRpcError(error);
    const attempts = kind === "transient" ? ` after ${Math.max(1, opts.maxAttempts ?? 5)} attempts` : "";
    throw new LedgerReadError(`${what} failed${attempts}: ${reason}`, { cause: error });
  }
}
