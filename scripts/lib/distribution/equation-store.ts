// Equations anyone can fetch and check. A published distribution names its value equation by hash
// (keccak256 of its canonical JSON) and by URI. The URI we publish is an IPFS CID of those same
// canonical bytes (CIDv1, raw, sha2-256: `ipfs://bafkrei…`), so that any IPFS gateway, or the app
// server that pins it (`/ipfs/<cid>`), can serve it, and anyone can check what they got against both
// the CID and the published hash. Browser-safe: the CLI, the app server and the app share it.
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { toUtf8Bytes } from "ethers";
import { canonicalJson, equationHash, parseValueEquation } from "./value-equation.js";

/** The bytes an equation is published and served as: its canonical JSON, UTF-8. */
export function equationBytes(doc: unknown): Uint8Array {
  return toUtf8Bytes(canonicalJson(doc));
}

/** The CID of an equation's canonical bytes (CIDv1, raw codec, sha2-256, base32: "bafkrei…"). */
export async function equationCid(doc: unknown): Promise<string> {
  return CID.create(1, raw.code, await sha256.digest(equationBytes(doc))).toString();
}

/** The URI a distribution publishes for an equation with this CID. */
export const equationUri = (cid: string) => `ipfs://${cid}`;

/** The CID an `ipfs://` URI names (checked), or undefined for any other URI; throws a sentence for a malformed CID. */
export function cidOfUri(uri: string): string | undefined {
  if (!uri.startsWith("ipfs://")) return undefined;
  const text = uri.slice("ipfs://".length).split("/")[0];
  try {
    return CID.parse(text).toV1().toString();
  } catch {
    throw new Error(`"${uri}" does not name a valid CID`);
  }
}

/**
 * Where to fetch an equation published at `uri`: an `ipfs://` CID through `gateway` (the app
 * server's `/ipfs/`, or any public gateway), an http(s) URL as it is; undefined for a URI nobody
 * else can fetch (a path on the publisher's own disk).
 */
export function equationFetchUrl(uri: string, gateway: string): string | undefined {
  const cid = cidOfUri(uri);
  if (cid) return `${gateway.replace(/\/?$/, "/")}${cid}`;
  return /^https?:\/\//.test(uri) ? uri : undefined;
}

/**
 * The equation in `bytes` as fetched for a distribution that published `equationHash` at `uri`,
 * checked: the bytes are the CID's content (when the URI is a CID), they are a valid equation, and
 * its hash is the published one. Otherwise a sentence saying which check failed.
 */
export async function checkEquationBytes(bytes: Uint8Array, published: { equationHash: string; uri: string }): Promise<{ doc: unknown } | { error: string }> {
  const cid = cidOfUri(published.uri);
  if (cid) {
    const parsed = CID.parse(cid);
    if (parsed.multihash.code !== sha256.code) return { error: `the CID ${cid} is not a sha2-256 CID, which this app cannot check` };
    const digest = await sha256.digest(bytes);
    if (!equalBytes(digest.digest, parsed.multihash.digest)) return { error: `what was served for ${cid} is not that content (its sha2-256 differs)` };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes));
    parseValueEquation(doc);
  } catch (error) {
    return { error: `what was served for ${published.uri} is not a value equation: ${(error as Error).message.split("\n")[0]}` };
  }
  const hash = equationHash(doc);
  if (hash.toLowerCase() !== published.equationHash.toLowerCase())
    return { error: `the equation served for ${published.uri} has hash ${hash}, not the published ${published.equationHash}` };
  return { doc };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
