// A node that only counts requests (and fails them): invalid CLI input must be refused before any
// RPC call, so a bad-input test points --rpc here and expects the count to stay put.
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
