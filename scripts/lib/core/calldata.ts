// The signatures a recording transaction carried, read from its calldata: an entry's signature is
// in the call that recorded it (`record`, `recordCorrection` or one item of `recordBatch`), while
// its Recorded event holds the record only. Browser-safe (the app's Entry and Trace pages) and fast
// enough for `verify` over a whole ledger: the ABI offsets are followed as the contract's decoder
// does, on the hex text, without decoding 17 fields per record, and without a pass over the whole
// text (a batch's calldata is ~100 kB): offsets and signatures are checked as hex where they are
// read; a record's words are taken as the node gives them (lowercase hex, as in its Recorded log),
// so a record that is not hex matches no log.
import { ledgerInterface } from "./reader.js";
import { recordHashOfWords } from "./record.js";

/** 17 static words: the ABI encoding of a Record is its EIP-712 encodeData, and the data of its Recorded event. */
const RECORD_BYTES = 544;
const SELECTORS = {
  record: ledgerInterface().getFunction("record")!.selector,
  recordBatch: ledgerInterface().getFunction("recordBatch")!.selector,
  recordCorrection: ledgerInterface().getFunction("recordCorrection")!.selector,
};
/** An offset or length word that fits in 6 bytes (the 26 high bytes zero). */
const SMALL_WORD = /^0{52}[0-9a-fA-F]{12}$/;
const HEX = /^[0-9a-fA-F]*$/;

/**
 * Candidate signatures per record, for the records one transaction carried. A record is keyed by
 * its 17 words in lowercase hex without 0x (what the contract hashed and logged), so an entry finds
 * its signatures by its log data without hashing the calldata's records again.
 */
export type SignatureMap = Map<string, string[]>;

function addSignature(into: SignatureMap, words: string, sig: string): void {
  const list = into.get(words);
  if (list) list.push(sig);
  else into.set(words, [sig]);
}

/**
 * Adds to `into` the records and signatures of a call to `record`, `recordCorrection` or
 * `recordBatch`. Returns false, adding nothing, if `input` is not such a call or is malformed (an
 * offset or length out of bounds or not hex, a signature not hex, a batch whose two arrays differ
 * in length).
 */
export function signaturesFromCalldata(input: string, into: SignatureMap): boolean {
  if (typeof input !== "string" || input.length < 10 || input.length % 2 !== 0 || !input.startsWith("0x")) return false;
  const hex = input;
  const selector = hex.slice(0, 10).toLowerCase();
  const isBatch = selector === SELECTORS.recordBatch;
  if (!isBatch && selector !== SELECTORS.record && selector !== SELECTORS.recordCorrection) return false;
  const size = (hex.length - 2) / 2;
  /** The character index of byte `at` of the calldata. */
  const char = (at: number) => 2 + 2 * at;
  const word = (at: number): number => {
    if (at < 0 || at + 32 > size) throw new RangeError("out of bounds");
    const text = hex.slice(char(at), char(at + 32));
    if (!SMALL_WORD.test(text)) throw new RangeError("not an offset");
    return Number.parseInt(text.slice(52), 16);
  };
  const wordsAt = (at: number): string => {
    if (at + RECORD_BYTES > size) throw new RangeError("out of bounds");
    return hex.slice(char(at), char(at + RECORD_BYTES));
  };
  const bytesAt = (at: number): string => {
    const length = word(at);
    if (at + 32 + length > size) throw new RangeError("out of bounds");
    const bytes = hex.slice(char(at + 32), char(at + 32 + length));
    if (!HEX.test(bytes)) throw new RangeError("not hex");
    return "0x" + bytes.toLowerCase();
  };
  const BASE = 4;
  const found: [string, string][] = [];
  try {
    if (!isBatch) {
      // record(Record, bytes) and recordCorrection(Record, bytes, EntryProof): the static record inline.
      found.push([wordsAt(BASE), bytesAt(BASE + word(BASE + RECORD_BYTES))]);
    } else {
      const records = BASE + word(BASE);
      const signatures = BASE + word(BASE + 32);
      const n = word(records);
      if (n !== word(signatures)) return false;
      for (let i = 0; i < n; i++) found.push([wordsAt(records + 32 + i * RECORD_BYTES), bytesAt(signatures + 32 + word(signatures + 32 + i * 32))]);
    }
  } catch {
    return false;
  }
  for (const [words, sig] of found) addSignature(into, words, sig);
  return true;
}

/**
 * The signature carried for the record with struct hash `recordHash` in a call to the Ledger, or
 * undefined when the calldata is no such call or carries no such record (e.g. the transaction went
 * through another contract).
 */
export function signatureFromCalldata(input: string, recordHash: string): string | undefined {
  const found: SignatureMap = new Map();
  if (!signaturesFromCalldata(input, found)) return undefined;
  const wanted = recordHash.toLowerCase();
  for (const [words, sigs] of found) {
    try {
      if (recordHashOfWords("0x" + words) === wanted) return sigs[0];
    } catch {
      /* not hex: no record */
    }
  }
  return undefined;
}
