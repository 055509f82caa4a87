// Equations anyone can fetch (issue 18, "Equations anyone can fetch"): a distribution publishes its
// equation as an IPFS CID of the equation's canonical bytes; whoever fetches it (from the app
// server's /ipfs/<cid>, or any gateway) checks the bytes against the CID and the published hash.
import { expect } from "chai";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { canonicalJson, equationHash } from "../scripts/lib/distribution/value-equation.js";
import { checkEquationBytes, cidOfUri, equationBytes, equationCid, equationFetchUrl, equationUri } from "../scripts/lib/distribution/equation-store.js";

const root = path.resolve(import.meta.dirname, "..");
const demo = JSON.parse(readFileSync(path.join(root, "scripts", "demo", "value-equation.json"), "utf8")) as Record<string, unknown>;

/** CIDv1, raw codec, sha2-256, base32 lower case without padding: computed here without multiformats. */
function cidOf(bytes: Uint8Array): string {
  const digest = createHash("sha256").update(bytes).digest();
  const all = Buffer.concat([Buffer.from([0x01, 0x55, 0x12, 0x20]), digest]);
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of all) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return `b${out}`;
}

describe("equation store", () => {
  describe("equationCid", () => {
    it("is the CIDv1 (raw, sha2-256) of the equation's canonical JSON bytes", async () => {
      expect(cidOf(new TextEncoder().encode("hello world"))).to.equal("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");
      expect(new TextDecoder().decode(equationBytes(demo))).to.equal(canonicalJson(demo));
      expect(await equationCid(demo)).to.equal(cidOf(equationBytes(demo)));
      // Key order and whitespace do not change it: the same equation has one CID.
      const reordered = Object.fromEntries(Object.entries(demo).reverse());
      expect(await equationCid(reordered)).to.equal(await equationCid(demo));
    });
  });

  describe("cidOfUri and equationFetchUrl", () => {
    it("read an ipfs:// CID (v0 as v1), pass an http(s) URL, and say nobody can fetch a local path", async () => {
      const cid = await equationCid(demo);
      expect(cidOfUri(equationUri(cid))).to.equal(cid);
      expect(cidOfUri("ipfs://QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG")).to.match(/^bafybei/);
      expect(() => cidOfUri("ipfs://notacid")).to.throw('"ipfs://notacid" does not name a valid CID');
      expect(equationFetchUrl(equationUri(cid), "./ipfs")).to.equal(`./ipfs/${cid}`);
      expect(equationFetchUrl(equationUri(cid), "https://ipfs.io/ipfs/")).to.equal(`https://ipfs.io/ipfs/${cid}`);
      expect(equationFetchUrl("https://example.org/eq.json", "./ipfs/")).to.equal("https://example.org/eq.json");
      expect(equationFetchUrl("/home/mira/commons/scripts/demo/value-equation.json", "./ipfs/")).to.equal(undefined);
      expect(equationFetchUrl("scripts/demo/value-equation.json", "./ipfs/")).to.equal(undefined);
    });
  });

  describe("checkEquationBytes", () => {
    it("accepts the published equation's bytes, and says which check fails for altered bytes, another equation or not an equation", async () => {
      const cid = await equationCid(demo);
      const published = { equationHash: equationHash(demo), uri: equationUri(cid) };
      expect(await checkEquationBytes(equationBytes(demo), published)).to.deep.equal({ doc: JSON.parse(canonicalJson(demo)) });
      // Pretty-printed, the same equation is other bytes: not the CID's content.
      const pretty = new TextEncoder().encode(JSON.stringify(demo, null, 2));
      expect(await checkEquationBytes(pretty, published)).to.deep.equal({ error: `what was served for ${cid} is not that content (its sha2-256 differs)` });
      // Another equation served under its own CID, but a distribution that published the demo's hash.
      const other = { ...demo, name: "someone else's equation" };
      const otherCid = await equationCid(other);
      expect(await checkEquationBytes(equationBytes(other), { ...published, uri: equationUri(otherCid) })).to.deep.equal({
        error: `the equation served for ipfs://${otherCid} has hash ${equationHash(other)}, not the published ${published.equationHash}`,
      });
      const junk = new TextEncoder().encode("<html>not found</html>");
      const junkCheck = await checkEquationBytes(junk, { ...published, uri: "https://example.org/eq.json" });
      expect(junkCheck)
        .to.have.property("error")
        .that.match(/^what was served for https:\/\/example\.org\/eq\.json is not a value equation: /);
    });
  });
});
