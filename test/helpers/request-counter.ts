// A node that only counts requests (and fails them): invalid CLI input must be refused before any
// RPC call, so a bad-input test points --rpc here and expects the count to stay put.
import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface RequestCounter {
  url: string;
  /** Requests received so far. */
  count(): number;
  close(): Promise<void>;
}

export async function startRequestCounter(): Promise<RequestCounter> {
  let requests = 0;
  const server = http.createServer((_, res) => {
    requests++;
    res.writeHead(500).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: () => requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * One `it` per case: `commons <args>` exits 2 with one line matching `message` and sends no request
 * to `counter` (point --rpc at it). The cases run once, as parallel processes, when the first `it` runs.
 */
export function itRejectsBeforeAnyRpc(
  cases: readonly [what: string, args: () => string[], message: RegExp][],
  cli: (args: string[]) => Promise<{ code: number | null; stdout: string; stderr: string }>,
  counter: () => RequestCounter,
): void {
  let runs: Promise<{ code: number | null; stdout: string; stderr: string }>[] | undefined;
  for (const [i, [what, , message]] of cases.entries()) {
    it(`rejects ${what} with one line and no RPC call`, async () => {
      runs ??= cases.map(([, args]) => cli(args()));
      const r = await runs[i];
      expect(r.code, r.stdout + r.stderr).to.equal(2);
      expect(r.stderr.trim().split("\n")).to.have.length(1);
      expect(r.stderr).to.match(message);
      expect(counter().count(), "RPC requests").to.equal(0);
    });
  }
}
