// Names: the Directory's vocabulary and ABI, an agent's signed profile (EIP-712 domain, types,
// digest, portable JSON), the one rule a name must meet to be shown, and the names read from the
// Directory's events and the Ledger's commons registrations. Browser-safe: the CLI, the relayer and
// the app share this one copy (contracts/interfaces/IDirectory.sol is the contract side).
import { getAddress, isAddress, TypedDataEncoder, ZeroAddress } from "ethers";
import type { Provider, TypedDataDomain, TypedDataField } from "ethers";
import { fetchLogs } from "./reader.js";
import type { LedgerEvents, ReadOptions } from "./reader.js";
import { HEX_ADDRESS, shortAddress } from "./address.js";
import { AGENT_KINDS, directoryInterface, MAX_NAME_BYTES } from "./directory-abi.js";
import type { AgentKindName } from "./directory-abi.js";
import { envelope, fieldsOf, SignedMessageError } from "./signed-message.js";

export { shortAddress } from "./address.js";
export { AGENT_KINDS, DIRECTORY_ABI, directoryInterface, MAX_NAME_BYTES } from "./directory-abi.js";
export type { AgentKindName } from "./directory-abi.js";

// ---------------------------------------------------------------- the rule for a name

/** Bidirectional controls (which reorder what follows them) and other invisible formatting characters. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
/** Something that reads as an address or a short address ("0x7099…79C8"): a name must not pass for one. */
const ADDRESS_LIKE = /0x[0-9a-f]{4}/i;

/**
 * Why `name` cannot be a display name, in one sentence, or undefined when it can. The contract
 * checks the length and control bytes; this adds what only a reader can judge: invisible or
 * reordering characters (U+202E turns "alice" into "ecila"), spaces at either end, and text that
 * passes for an address. The CLI and the app refuse to sign such a name; readers do not show one
 * that was published anyway.
 */
export function nameProblem(name: string): string | undefined {
  const bytes = new TextEncoder().encode(name).length;
  if (bytes === 0) return "a name cannot be empty";
  if (bytes > MAX_NAME_BYTES) return `"${name.slice(0, 20)}…" is ${bytes} bytes long; a name has at most ${MAX_NAME_BYTES} bytes (UTF-8)`;
  const invisible = INVISIBLE.exec(name);
  if (invisible)
    return `the name has an invisible or control character (U+${invisible[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}) at character ${invisible.index + 1}`;
  if (name.trim() !== name) return `"${name}" starts or ends with a space`;
  if (ADDRESS_LIKE.test(name)) return `"${name}" looks like an address; a name must not pass for one`;
  return undefined;
}

// ---------------------------------------------------------------- signed profiles

export const DIRECTORY_DOMAIN_NAME = "CommonsDirectory";
export const DIRECTORY_DOMAIN_VERSION = "1";

export const PROFILE_TYPES: Record<string, TypedDataField[]> = {
  Profile: [
    { name: "agent", type: "address" },
    { name: "kind", type: "uint8" },
    { name: "name", type: "string" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint64" },
  ],
};

/** An agent's profile as it signs it (IDirectory.Profile). */
export interface Profile {
  agent: string;
  kind: number;
  name: string;
  nonce: bigint;
  deadline: bigint;
}

export function directoryDomain(chainId: bigint | number, verifyingContract: string): TypedDataDomain {
  return { name: DIRECTORY_DOMAIN_NAME, version: DIRECTORY_DOMAIN_VERSION, chainId: BigInt(chainId), verifyingContract };
}

export function profileDigest(domain: TypedDataDomain, p: Profile): string {
  return TypedDataEncoder.hash(domain, PROFILE_TYPES, p);
}

/** What signs a profile: an ethers signer (a wallet, a browser wallet's signer). */
export interface TypedDataSigner {
  signTypedData(domain: TypedDataDomain, types: Record<string, TypedDataField[]>, value: Record<string, unknown>): Promise<string>;
}

/**
 * A profile to sign, checked: `kind` by name, the name rule, and (from the chain) the agent's
 * next version and a deadline. Throws a sentence naming what is wrong.
 */
export function buildProfile(p: { agent: string; kind: string; name: string; nonce: bigint; deadline: bigint }): Profile {
  const kind = AGENT_KINDS.indexOf(p.kind as AgentKindName);
  if (kind < 0) throw new Error(`"${p.kind}" is not an agent kind (${AGENT_KINDS.join(", ")})`);
  const problem = nameProblem(p.name);
  if (problem) throw new Error(problem);
  if (!isAddress(p.agent) || getAddress(p.agent) === ZeroAddress) throw new Error(`"${p.agent}" is not an address`);
  return { agent: getAddress(p.agent), kind, name: p.name, nonce: p.nonce, deadline: p.deadline };
}

export function signProfile(signer: TypedDataSigner, domain: TypedDataDomain, p: Profile): Promise<string> {
  return signer.signTypedData(domain, PROFILE_TYPES, { ...p });
}

export const SIGNED_PROFILE_TYPE = "commons-ledger/signed-profile@1";

/** A signed profile as portable JSON (what `commons name set --out` writes and a relayer takes). */
export interface SignedProfileJson {
  type: typeof SIGNED_PROFILE_TYPE;
  chainId: string;
  directory: string;
  profile: { agent: string; kind: number; name: string; nonce: string; deadline: string };
  signature: string;
  digest: string;
}

export function toSignedProfileJson(domain: TypedDataDomain, p: Profile, signature: string): SignedProfileJson {
  return {
    type: SIGNED_PROFILE_TYPE,
    chainId: String(domain.chainId),
    directory: String(domain.verifyingContract),
    profile: { agent: p.agent, kind: p.kind, name: p.name, nonce: p.nonce.toString(), deadline: p.deadline.toString() },
    signature,
    digest: profileDigest(domain, p),
  };
}

/** Parses and checks a signed profile's JSON (shape, kind, the name rule, digest); throws SignedMessageError. */
export function fromSignedProfileJson(json: unknown): { domain: TypedDataDomain; profile: Profile; signature: string } {
  const j = envelope(json, SIGNED_PROFILE_TYPE, "profile", "directory");
  const { get, uint } = fieldsOf(j.body, "profile");
  const agent = get("agent");
  if (!isAddress(agent) || getAddress(agent) === ZeroAddress) throw new SignedMessageError("profile.agent", `"${agent}" is not an address`);
  const kind = Number(uint("kind", 8));
  if (kind >= AGENT_KINDS.length)
    throw new SignedMessageError(
      "profile.kind",
      `${kind} is not an agent kind (0 ${AGENT_KINDS.map((k, i) => `${i} ${k}`)
        .join(", ")
        .slice(2)})`,
    );
  const name = (j.body as { name?: unknown }).name;
  if (typeof name !== "string") throw new SignedMessageError("profile.name", "is missing");
  const problem = nameProblem(name);
  if (problem) throw new SignedMessageError("profile.name", problem);
  const profile: Profile = { agent: getAddress(agent), kind, name, nonce: uint("nonce", 256), deadline: uint("deadline", 64) };
  const domain = directoryDomain(BigInt(j.chainId), j.contract);
  if (j.digest !== undefined && j.digest !== profileDigest(domain, profile))
    throw new SignedMessageError("digest", "does not match the profile (the JSON was altered)");
  return { domain, profile, signature: j.signature };
}

// ---------------------------------------------------------------- names as read

/** An agent's name as shown. */
export interface AgentName {
  name: string;
  kind: AgentKindName;
  /** The profile's version (its nonce): the latest is shown. */
  version: bigint;
  /** How many other agents publish the same name (compared case- and accent-insensitively): shown as a warning. */
  sharedWith: number;
}

/** Names of agents and commons, as the Directory's and the Ledger's events give them. */
export interface Names {
  agent(address: string): AgentName | undefined;
  commons(id: string): string | undefined;
  /** The agents whose name is `name` (case- and accent-insensitive). */
  agentsNamed(name: string): string[];
  /** Every named agent, by address (checksummed). */
  agents(): ReadonlyMap<string, AgentName>;
}

/** Names for no one: what a reader without a Directory shows. */
export const NO_NAMES: Names = namesFrom([], []);

/** One key per name for comparing: case-, accent- and width-insensitive. */
export function nameKey(name: string): string {
  return name.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/\s+/g, " ");
}

export interface ProfileEvent {
  agent: string;
  kind: number;
  name: string;
  nonce: bigint;
}

export interface CommonsNameEvent {
  commons: string;
  name: string;
}

/**
 * Names from events in chain order: each agent's latest profile (a profile whose name breaks the
 * name rule hides the agent's name rather than showing it), and each commons' latest name (its
 * registration name, then every name its stewards gave it).
 */
export function namesFrom(profiles: readonly ProfileEvent[], commonsNames: readonly CommonsNameEvent[]): Names {
  const latest = new Map<string, ProfileEvent>();
  for (const p of profiles) {
    const agent = getAddress(p.agent);
    const before = latest.get(agent);
    if (!before || p.nonce > before.nonce) latest.set(agent, p);
  }
  const agents = new Map<string, AgentName>();
  const byKey = new Map<string, string[]>();
  for (const [agent, p] of latest) {
    if (nameProblem(p.name) || p.kind >= AGENT_KINDS.length) continue;
    agents.set(agent, { name: p.name, kind: AGENT_KINDS[p.kind], version: p.nonce, sharedWith: 0 });
    const key = nameKey(p.name);
    byKey.set(key, [...(byKey.get(key) ?? []), agent]);
  }
  for (const same of byKey.values()) for (const a of same) agents.get(a)!.sharedWith = same.length - 1;
  const commons = new Map<string, string>();
  for (const c of commonsNames) if (!nameProblemForCommons(c.name)) commons.set(c.commons.toLowerCase(), c.name);
  // Looked up by the address in lower case: a page labels every row of a table (a checksum per row,
  // keccak each time, cost a first visit tens of milliseconds).
  const byLower = new Map([...agents].map(([a, n]) => [a.toLowerCase(), n]));
  return {
    agent: (address) => (HEX_ADDRESS.test(address) ? byLower.get(address.toLowerCase()) : undefined),
    commons: (id) => commons.get(id.toLowerCase()),
    agentsNamed: (name) => byKey.get(nameKey(name)) ?? [],
    agents: () => agents,
  };
}

/** A commons' registration name may be up to the Ledger's 200 bytes; only the invisible-character rule applies to it. */
function nameProblemForCommons(name: string): boolean {
  return name.length === 0 || INVISIBLE.test(name);
}

/** An agent as a person reads it: "alice (0x7099…79C8)", or the short address alone when it has no name. */
export function agentLabel(names: Names, address: string): string {
  const n = names.agent(address);
  if (!n) return shortAddress(address);
  return `${n.name} (${shortAddress(address)}${n.sharedWith > 0 ? `; ${n.sharedWith} other${n.sharedWith === 1 ? "" : "s"} also use this name` : ""})`;
}

/**
 * The agent `text` names: an address (checked), or a published name that exactly one agent uses.
 * Returns the address, or a sentence saying why `text` names no one or several.
 */
export function resolveAgent(names: Names, text: string): { address: string } | { error: string } {
  if (/^0x/i.test(text)) {
    if (!isAddress(text)) return { error: `"${text}" is not an address (0x + 40 hex digits, with a right checksum if mixed case)` };
    return { address: getAddress(text) };
  }
  const found = names.agentsNamed(text);
  if (found.length === 1) return { address: found[0] };
  if (found.length === 0) return { error: `no agent has published the name "${text}"; give an address instead` };
  return { error: `${found.length} agents call themselves "${text}" (${found.join(", ")}); give the address of the one you mean` };
}

// ---------------------------------------------------------------- reading

/** The profile and commons-name events of a Directory, decoded; other contracts' logs are ignored. */
export async function readDirectoryEvents(
  provider: Provider,
  directory: string,
  opts: ReadOptions = {},
): Promise<{ profiles: ProfileEvent[]; commonsNames: CommonsNameEvent[] }> {
  const logs = await fetchLogs(provider, directory, {
    ...opts,
    topic0: [directoryInterface().getEvent("ProfilePublished")!.topicHash, directoryInterface().getEvent("CommonsNamed")!.topicHash],
  });
  const profiles: ProfileEvent[] = [];
  const commonsNames: CommonsNameEvent[] = [];
  for (const log of logs) {
    if (log.address.toLowerCase() !== directory.toLowerCase()) continue;
    const parsed = directoryInterface().parseLog({ topics: log.topics as string[], data: log.data });
    if (parsed?.name === "ProfilePublished")
      profiles.push({ agent: String(parsed.args.agent), kind: Number(parsed.args.kind), name: String(parsed.args.name), nonce: BigInt(parsed.args.nonce) });
    else if (parsed?.name === "CommonsNamed") commonsNames.push({ commons: String(parsed.args.commons), name: String(parsed.args.name) });
  }
  return { profiles, commonsNames };
}

/** The commons' registration names from the Ledger's events (before any name their stewards give them here). */
export function registrationNames(events: Pick<LedgerEvents, "all"> | undefined): CommonsNameEvent[] {
  const out: CommonsNameEvent[] = [];
  for (const e of events?.all ?? []) if (e.name === "CommonsRegistered") out.push({ commons: String(e.args.commons), name: String(e.args.name) });
  return out;
}

/**
 * The names a reader shows: the Directory's profiles and commons names (none without a Directory)
 * over the commons' registration names: from the Ledger's events, or as an indexer lists them.
 */
export async function readNames(
  provider: Provider,
  directory: string | undefined,
  ledgerEvents: Pick<LedgerEvents, "all"> | readonly CommonsNameEvent[] | undefined,
  opts: ReadOptions = {},
): Promise<Names> {
  const read = directory ? await readDirectoryEvents(provider, directory, opts) : { profiles: [], commonsNames: [] };
  const registered = Array.isArray(ledgerEvents) ? ledgerEvents : registrationNames(ledgerEvents as Pick<LedgerEvents, "all"> | undefined);
  return namesFrom(read.profiles, [...registered, ...read.commonsNames]);
}
