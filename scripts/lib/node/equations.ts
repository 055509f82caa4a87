// The equations this machine pins: each stored as its canonical bytes in a folder (data/equations/
// for npm start and the CLI), named by its CID, so that the app server can serve it at /ipfs/<cid>
// and `distribute --check` can find what a distribution published.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { equationBytes, equationCid } from "../distribution/equation-store.js";

/** Stores `doc` in `dir` as <cid>.json (its canonical bytes); returns the CID and the file. */
export async function storeEquation(dir: string, doc: unknown): Promise<{ cid: string; file: string }> {
  const cid = await equationCid(doc);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${cid}.json`);
  writeFileSync(file, equationBytes(doc));
  return { cid, file };
}

/** The stored file of the equation with this CID in `dir`, if this machine pins it. */
export function storedEquationFile(dir: string, cid: string): string | undefined {
  if (!/^[a-z2-7]+$/.test(cid)) return undefined;
  const file = path.join(dir, `${cid}.json`);
  return existsSync(file) ? file : undefined;
}

/** The bytes of a stored equation, if pinned here. */
export function readStoredEquation(dir: string, cid: string): Uint8Array | undefined {
  const file = storedEquationFile(dir, cid);
  return file ? readFileSync(file) : undefined;
}
