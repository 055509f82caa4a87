// Parsers for every CLI input. Each throws CliInputError naming the flag, before any RPC call.
import { existsSync, readFileSync } from "node:fs";
import { getAddress } from "ethers";
import { z } from "zod";
import { addressProblem } from "../lib/core/address.js";
import { resolveAgent } from "../lib/core/directory.js";
import type { Names } from "../lib/core/directory.js";
import { evidenceOfBytes, labelId } from "../lib/core/record.js";
import { ACTIONS, ENTRY_STATES, FLOWS, LIMITS, SIDES, VERDICTS } from "../lib/core/vocabulary.js";

export class CliInputError extends Error {
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(`${flag}: ${message}`);
    this.name = "CliInputError";
  }
}

/** An agent given by address, or by the name exactly one agent has published (`names`, read from the chain). */
export function parseAgent(flag: string, names: Names, value: string): string {
  const found = resolveAgent(names, value);
  if ("error" in found) throw new CliInputError(flag, found.error);
  return found.address;
}

export function parseAddress(flag: string, value: string): string {
  const problem = addressProblem(value);
  if (problem) throw new CliInputError(flag, problem);
  return getAddress(value);
}

export function parseHex32(flag: string, value: string): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) throw new CliInputError(flag, `"${value}" is not a 32-byte hex value (0x + 64 hex digits)`);
  return value.toLowerCase();
}

/** A 32-byte id given as hex, or any other text as a label (its keccak256). */
export function parseIdOrLabel(flag: string, value: string): string {
  if (value.startsWith("0x")) return parseHex32(flag, value);
  if (value.trim().length === 0) throw new CliInputError(flag, "must not be empty");
  return labelId(value);
}

export function parseUrl(flag: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliInputError(flag, `"${value}" is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new CliInputError(flag, `"${value}" must be an http(s) URL`);
  return value.replace(/\/$/, "");
}

export function parseUint(flag: string, value: string, max: bigint = LIMITS.maxUint64): bigint {
  if (!/^\d+$/.test(value)) throw new CliInputError(flag, `"${value}" is not a non-negative integer`);
  const v = BigInt(value);
  if (v > max) throw new CliInputError(flag, `${value} is too large (at most ${max})`);
  return v;
}

/** ISO 8601 date/time or unix seconds. */
export function parseTime(flag: string, value: string): bigint {
  if (/^\d+$/.test(value)) return parseUint(flag, value);
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}/.test(value))
    throw new CliInputError(flag, `"${value}" is not an ISO 8601 date (2026-11-24 or 2026-11-24T10:00:00Z) or unix seconds`);
  if (ms < 0) throw new CliInputError(flag, `"${value}" is before 1970`);
  return BigInt(Math.floor(ms / 1000));
}

/** "90", "45m", "12h", "7d" -> seconds. */
export function parseDuration(flag: string, value: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(value);
  if (!m) throw new CliInputError(flag, `"${value}" is not a duration (e.g. 3600, 45m, 12h, 7d)`);
  const seconds = Number(m[1]) * { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "" | "s" | "m" | "h" | "d"];
  if (seconds <= 0) throw new CliInputError(flag, "must be positive");
  if (seconds > LIMITS.maxValiditySeconds) throw new CliInputError(flag, `${value} is longer than the 30 days a signature may stay valid`);
  return seconds;
}

export function parseChoice<T extends readonly string[]>(flag: string, value: string, choices: T): T[number] {
  if (!(choices as readonly string[]).includes(value)) throw new CliInputError(flag, `"${value}" is not one of: ${choices.join(", ")}`);
  return value as T[number];
}

export const parseAction = (v: string) => parseChoice("--action", v, ACTIONS);
export const parseFlow = (v: string) => parseChoice("--flow", v, FLOWS);
export const parseSide = (v: string) => parseChoice("--side", v, SIDES);
export const parseState = (v: string) => parseChoice("--state", v, ENTRY_STATES);
export const parseVerdict = (v: string) => parseChoice("verdict", v, VERDICTS);

export function readJsonFile(flag: string, file: string): unknown {
  if (file !== "-" && !existsSync(file)) throw new CliInputError(flag, `file "${file}" does not exist`);
  const text = readFileSync(file === "-" ? 0 : file, "utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliInputError(flag, `"${file}" is not valid JSON: ${(error as Error).message}`);
  }
}

export function hashFile(flag: string, file: string): string {
  if (!existsSync(file)) throw new CliInputError(flag, `file "${file}" does not exist`);
  return evidenceOfBytes(readFileSync(file));
}

/** The fields a claim may take from a JSON file (`commons claim --file`); same names as the flags. */
export const ClaimFileSchema = z
  .object({
    flow: z.enum(FLOWS),
    action: z.enum(ACTIONS),
    provider: z.string(),
    receiver: z.string(),
    commons: z.string(),
    resource: z.string(),
    resourceSpec: z.string(),
    process: z.string(),
    side: z.enum(SIDES),
    quantity: z.union([z.string(), z.number()]).transform(String),
    unit: z.string(),
    time: z.union([z.string(), z.number()]).transform(String),
    evidence: z.string(),
    satisfies: z.union([z.string(), z.number()]).transform(String),
    corrects: z.union([z.string(), z.number()]).transform(String),
  })
  .partial()
  .strict();

export type ClaimFile = z.infer<typeof ClaimFileSchema>;

export function parseClaimFile(file: string): ClaimFile {
  const json = readJsonFile("--file", file);
  const result = ClaimFileSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue.path.length ? issue.path.join(".") : "(root)";
    throw new CliInputError("--file", `${where}: ${issue.message}`);
  }
  return result.data;
}
