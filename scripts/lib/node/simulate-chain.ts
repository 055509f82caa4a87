// The simulator on a real Ledger (`commons simulate --chain`, issue 15): a seeded simulation
// (lib/supply/simulate.ts, planner policy) recorded period by period on the local development chain,
// every need, intent, commitment and event signed by the chain's dev keys and recorded with
// recordBatch, then read back and checked against the simulation. Node-only: dev keys and anvil's
// clock belong to chain 31337, and the run refuses any other chain.
//
// Who: the coordinator (dev key 1) registers a commons for the run (its only steward), cites the
// recipe book (evidence: its hash) and publishes the plan's signals; the customer (dev key 2) posts
// the final demand as needs; agents (dev keys 3, 4, ...) run the processes (process k: agent k mod
// the number of agents). Dev key 0 pays for the transactions, as the relayer does: the others only sign.
//
// When: simulation period t is the book's period P0 + t, P0 the first period that starts after the
// chain's time; before period t is recorded the chain's clock moves to its start (evm_increaseTime,
// evm_mine). Events carry that block time; intents are due later: a customer's need at the end of
// the period it is due in, a plan signal by the start of the period its output arrives in
// (planSignals), a commitment when its intent is due.
//
// What, each period, in two rounds of recordBatch transactions (up to 150 records of any signers
// each, as a relayer batches them; the second names ids the first returned):
//   1. the customer's needs posted this period (transfer to the customer); the coordinator's intents
//      for the activity planned for this period (signalRecords over the standing intents it reads
//      from the ledger: new ones, and a correction where the plan changed one), at period 0 after
//      the book's cite;
//   2. the agents' commitments to their processes' intents (the activity committed x the output per
//      run); `produce` of each output arriving (a lot per process and period, satisfying the
//      commitment of the run that made it; at period 0 `raise` of the seed stock of cycles);
//      deliveries to the customer (`transfer` satisfying the need, lots first in, first out);
//      hand-overs (`transfer`) of the lot portions another agent's runs consume; and after them (a
//      batch records in order) `consume` of those portions, the inputs from outside the book (named
//      by resourceSpec only: the simulation keeps no stock of them) and `work`.
// Events name the run (labelId("<process>, run <t> (<tag>)")), intents the book's process
// (labelId(name), as plan --publish); lots and runs carry a tag of the commons, so that two runs on
// one ledger never share a resource.
//
// Quantities: the ledger counts 6 decimals, the simulation floats. Per spec the ledger's stock is
// held at the simulation's, rounded: each decrease takes what brings it to the simulation's stock
// rounded to 6 decimals; a lot is its output rounded up (as its commitment) and a delivery in full
// what the need asks, when that keeps the stock within 1e-6. So at every period end the stock of
// each spec is within 1e-6 of the simulation's, and a need the simulation meets in full is met exactly.
import { id as textHash } from "ethers";
import type { HDNodeWallet, JsonRpcProvider } from "ethers";
import { LedgerClient } from "../core/client.js";
import type { RecordDraft, SignedRecord } from "../core/client.js";
import { DEV_CHAIN_ID } from "../core/dev-chain-keys.js";
import { mergeEvents, readLedger } from "../core/reader.js";
import type { LedgerEvents } from "../core/reader.js";
import { buildRecord, checkRecord, formatQuantity, labelId, packNonce, signRecord } from "../core/record.js";
import { deriveEntries } from "../core/views.js";
import type { EntryView } from "../core/views.js";
import { LIMITS } from "../core/vocabulary.js";
import type { Recipes } from "../supply/planner.js";
import { periodOf, periodStart, planSignals } from "../supply/rolling.js";
import { plannedQuantity, signalRecords } from "../supply/signals.js";
import { simulate } from "../supply/simulate.js";
import type { PeriodEvents, SimulationConfig, SimulationResult } from "../supply/simulate.js";
import { deriveNeeds, deriveResources, isOpen } from "../supply/supply.js";
import { devWallet } from "./dev-chain.js";

export interface ChainSimulationOptions {
  /** A provider of the local development chain (chain id 31337; anything else is refused). */
  provider: JsonRpcProvider;
  ledger: string;
  fromBlock?: number;
  recipes: Recipes;
  /** The simulation (the planner policy is run). */
  config: Omit<SimulationConfig, "recipes" | "policy" | "observer" | "learnReliability">;
  /** Agents running the processes (dev keys 3 onwards; default 4, at most 7). */
  agents?: number;
  /** Called after each period is recorded. */
  onPeriod?: (done: number, total: number) => void;
}

export interface ChainPeriod {
  t: number;
  /** Unix seconds of the block the period was recorded from. */
  time: number;
  entries: number;
  transactions: number;
  gasUsed: bigint;
}

export interface ChainCheck {
  ok: boolean;
  /** Per spec made in the book: on-hand quantity of its lots (the customer's excluded) against the simulation's end stock. */
  stock: { spec: string; unit: string; ledger: string; simulation: number; difference: number }[];
  /** The customer's needs: what events met, against what the simulation delivered. */
  needs: { count: number; asked: string; met: string; delivered: number; largestDifference: number };
  /** The plan signals: how many have a commitment, and how many its events met. */
  intents: { count: number; committed: number; met: number };
  /** Resources whose events could not be applied (a holder below zero, another unit): none expected. */
  resourceProblems: string[];
  mismatches: string[];
}

export interface ChainSimulationResult {
  simulation: SimulationResult;
  chainId: number;
  ledger: string;
  commons: string;
  commonsName: string;
  roles: { payer: string; coordinator: string; customer: string; agents: string[]; processes: Record<string, string> };
  book: { name: string; version: string; hash: string; periodSeconds: number; cite: string };
  /** The book's period index of simulation period 0, and the unix seconds where the run's periods start and end. */
  firstPeriod: number;
  start: number;
  end: number;
  periods: ChainPeriod[];
  counts: {
    entries: number;
    transactions: number;
    gasUsed: bigint;
    /** Gas of registering the commons (not in gasUsed). */
    registrationGas: bigint;
    needs: number;
    intents: number;
    superseded: number;
    commitments: number;
    events: number;
    byAction: Record<string, number>;
    deliveries: number;
    handOvers: number;
    /** Consume events of lot portions (the other consume events take inputs from outside the book). */
    lotConsumes: number;
    /** Events of inputs from outside the book (consume, use, cite; not work). */
    outsideInputs: number;
  };
  check: ChainCheck;
  /** Every label the run's ids were made from (lots, runs, specs, processes, the book), for --labels. */
  labels: string[];
}

const NONCE_KEY = 1n;
const SEQUENCE_MASK = (1n << 64n) - 1n;
const SCALE = 1e6;
/** How long a signature stays valid: the period is recorded at once. */
const VALID_FOR = 3600n;

/** A quantity in the ledger's fixed point, rounded to the nearest (never below 0). */
const toMicro = (x: number): bigint => (x > 0 ? BigInt(Math.round(x * SCALE)) : 0n);
const fromMicro = (q: bigint): number => Number(q) / SCALE;

interface Pending {
  signer: HDNodeWallet;
  draft: Omit<RecordDraft, "commons">;
  onId?: (id: bigint) => void;
}

interface Lot {
  id: string;
  holder: HDNodeWallet;
  left: bigint;
}

/** Signs records with nonces kept here (one read per signer at the start) and records them in batches. */
class Recorder {
  private readonly sequences = new Map<string, bigint>();
  transactions = 0;
  gasUsed = 0n;
  entries = 0;

  constructor(
    readonly client: LedgerClient,
    readonly commons: string,
  ) {}

  async track(wallets: readonly HDNodeWallet[]): Promise<void> {
    for (const w of wallets) this.sequences.set(w.address, (await this.client.nonce(w.address, NONCE_KEY)) & SEQUENCE_MASK);
  }

  bump(address: string): void {
    this.sequences.set(address, this.sequences.get(address)! + 1n);
  }

  private async sign(p: Pending, now: bigint): Promise<SignedRecord> {
    const agent = p.signer.address;
    const sequence = this.sequences.get(agent)!;
    const record = buildRecord({
      ...p.draft,
      commons: this.commons,
      provider: p.draft.provider ?? (p.draft.flow === "need" ? undefined : agent),
      time: p.draft.time ?? now,
      nonce: packNonce(NONCE_KEY, sequence),
      deadline: now + VALID_FOR,
    });
    checkRecord(record, { now });
    const signature = await signRecord(p.signer, this.client.domain, record);
    this.sequences.set(agent, sequence + 1n);
    return { record, signature };
  }

  /**
   * Records a round in order, in batches of up to LIMITS.maxBatch records of any signers (as a
   * relayer batches them; each signer's nonces follow the order). A skipped record is an error.
   */
  async round(pending: readonly Pending[], now: bigint, what: string): Promise<void> {
    for (let at = 0; at < pending.length; at += LIMITS.maxBatch) {
      const chunk = pending.slice(at, at + LIMITS.maxBatch);
      const signed: SignedRecord[] = [];
      for (const p of chunk) signed.push(await this.sign(p, now));
      const { ids, skipped, receipt } = await this.client.submitBatch(signed);
      this.transactions++;
      this.gasUsed += receipt.gasUsed;
      if (skipped.length) {
        const item = chunk[Number(skipped[0].index)];
        throw new Error(
          `the Ledger skipped ${skipped.length} of ${signed.length} ${what} records; the first, a ${item.draft.flow ?? "event"} ${item.draft.action} signed by ${item.signer.address}: ${skipped[0].reason}`,
        );
      }
      this.entries += ids.length;
      ids.forEach((id, i) => chunk[i].onId?.(id));
    }
  }
}

/** The run's entries as the ledger's events say, read from the run's first block and topped up with the blocks after the last read. */
class RunReader {
  private events: LedgerEvents | undefined;
  private block: number;

  constructor(
    readonly provider: JsonRpcProvider,
    readonly ledger: string,
    readonly fromBlock: number,
    readonly commons: string,
  ) {
    this.block = fromBlock - 1;
  }

  async views(): Promise<EntryView[]> {
    const latest = await this.provider.getBlockNumber();
    if (latest > this.block) {
      const more = await readLedger(this.provider, this.ledger, { fromBlock: this.block + 1, toBlock: latest });
      this.events = this.events ? mergeEvents([this.events, more]) : more;
      this.block = latest;
    }
    return deriveEntries(this.events!).filter((v) => v.entry.record.commons === this.commons);
  }
}

/** The chain's time as the next block carries it: a block is mined to read it. */
async function mineNow(provider: JsonRpcProvider): Promise<number> {
  await provider.send("evm_mine", []);
  const block = await provider.getBlock("latest");
  if (!block) throw new Error("the node returned no latest block");
  return block.timestamp;
}

/** Moves the chain's clock to `target` (unix seconds; never back) and mines a block there; returns its time. */
async function advanceTo(provider: JsonRpcProvider, target: number): Promise<number> {
  const now = await mineNow(provider);
  if (target > now) await provider.send("evm_increaseTime", [target - now]);
  return mineNow(provider);
}

/**
 * Runs the simulation (planner policy) and records it on the Ledger period by period, then reads
 * the ledger back and checks it against the simulation. Throws when the chain is not the local
 * development chain, or when the Ledger skips a record (with its reason).
 */
export async function simulateOnChain(o: ChainSimulationOptions): Promise<ChainSimulationResult> {
  const { provider, recipes } = o;
  const model = recipes.model;
  const { chainId } = await provider.getNetwork();
  if (chainId !== BigInt(DEV_CHAIN_ID))
    throw new Error(`chain ${chainId} is not the local development chain (${DEV_CHAIN_ID}); the simulation signs with its well-known dev keys`);
  const agentCount = Math.min(o.agents ?? 4, 7, model.processes.length);
  if (!(agentCount >= 1)) throw new Error(`agents ${o.agents} is not a number from 1 to 7`);

  // The simulation first: it is synchronous and deterministic; the ledger then records what it says.
  const events: PeriodEvents[] = [];
  const simulation = simulate({ ...o.config, recipes, policy: "planner", observer: (e) => events.push(e) });

  const payer = devWallet(0, provider);
  const coordinator = devWallet(1, provider);
  const customer = devWallet(2, provider);
  const agents = Array.from({ length: agentCount }, (_, i) => devWallet(3 + i, provider));
  const agentOf = new Map(model.processes.map((p, k) => [p.name, agents[k % agentCount]]));
  const processByName = new Map(model.processes.map((p) => [p.name, p]));
  const client = await LedgerClient.connect(payer, o.ledger, o.fromBlock ?? 0);

  // The commons of the run, its coordinator the only steward.
  const startTime = await mineNow(provider);
  const commonsName = `simulation: ${model.name.slice(0, 120)} ${model.version}, seed ${o.config.seed}`;
  const salt = textHash(`commons simulate --chain: ${recipes.hash}, seed ${o.config.seed}, at ${startTime}`);
  const asSteward = client.contract.connect(coordinator) as typeof client.contract;
  const commons = ((await asSteward.registerCommons.staticCall(salt, commonsName)) as string).toLowerCase();
  const registration = await client.send(() => asSteward.registerCommons(salt, commonsName));
  const runBlock = registration.blockNumber;
  const recorder = new Recorder(client, commons);
  const reader = new RunReader(provider, o.ledger, runBlock, commons);
  await recorder.track([coordinator, customer, ...agents]);

  const tag = `sim ${commons.slice(2, 10)}`;
  const labels = new Set<string>([`recipes: ${model.name}@${model.version}`]);
  const label = (text: string) => (labels.add(text), labelId(text));
  for (const p of model.processes) {
    labels.add(p.name);
    labels.add(p.output.spec);
    for (const i of p.inputs) labels.add(i.spec);
  }
  const runId = (process: string, t: number) => label(`${process}, run ${t} (${tag})`);
  const lotId = (spec: string, t: number, process?: string) =>
    label(`${spec} lot ${t}${process !== undefined && model.producers.get(spec)!.length > 1 ? ` from ${process}` : ""} (${tag})`);
  const unitOf = (spec: string) => model.unitOf.get(spec)!;

  // Periods on the chain: simulation period t is the book's period first + t.
  const first = periodOf(model, startTime) + 1;
  const chainStart = (t: number) => periodStart(model, first + t);

  // The ledger's stock per spec (lots, first in first out) held at the simulation's.
  const lots = new Map<string, Lot[]>();
  const micro = new Map<string, bigint>();
  const float = new Map<string, number>();
  const increase = (spec: string, q: number, preferred?: bigint): bigint => {
    const f = (float.get(spec) ?? 0) + q;
    float.set(spec, f);
    const m = micro.get(spec) ?? 0n;
    let add = toMicro(f) - m;
    if (preferred !== undefined && Math.abs(Number(m + preferred) - f * SCALE) <= 1) add = preferred;
    if (add < 0n) add = 0n;
    micro.set(spec, m + add);
    return add;
  };
  const decrease = (spec: string, q: number, preferred?: bigint): { lot: Lot; quantity: bigint }[] => {
    const f = (float.get(spec) ?? 0) - q;
    float.set(spec, f);
    const m = micro.get(spec) ?? 0n;
    let take = m - toMicro(f);
    if (preferred !== undefined && preferred <= m && Math.abs(Number(m - preferred) - f * SCALE) <= 1) take = preferred;
    if (take <= 0n) return [];
    micro.set(spec, m - take);
    const queue = lots.get(spec) ?? [];
    const portions: { lot: Lot; quantity: bigint }[] = [];
    while (take > 0n) {
      const lot = queue[0];
      const x = lot.left < take ? lot.left : take;
      lot.left -= x;
      take -= x;
      portions.push({ lot, quantity: x });
      if (lot.left === 0n) queue.shift();
    }
    return portions;
  };
  const addLot = (spec: string, lot: Lot) => {
    const queue = lots.get(spec) ?? [];
    queue.push(lot);
    lots.set(spec, queue);
  };

  const needIds = new Map<string, bigint>();
  const intentIds = new Map<string, bigint>();
  const commitIds = new Map<string, bigint>();
  const key = (name: string, t: number) => `${name}@${t}`;
  const count = { superseded: 0, deliveries: 0, handOvers: 0, lotConsumes: 0, outsideInputs: 0 };
  let cite: bigint | undefined;
  const periods: ChainPeriod[] = [];

  for (const ev of events) {
    const { t } = ev;
    const before = { entries: recorder.entries, transactions: recorder.transactions, gasUsed: recorder.gasUsed };
    const time = await advanceTo(provider, chainStart(t));
    if (time >= chainStart(t + 1)) throw new Error(`the chain's clock (${time}) is past simulation period ${t} (${chainStart(t)} to ${chainStart(t + 1)})`);
    const now = BigInt(time);

    // ---- 1. the customer's needs, the book's cite, the plan's signals for this period's activity
    const round1: Pending[] = [];
    for (const p of ev.posted) {
      const q = toMicro(p.quantity);
      if (q === 0n) continue;
      round1.push({
        signer: customer,
        draft: {
          flow: "need",
          action: "transfer",
          receiver: customer.address,
          resourceSpec: labelId(p.spec),
          quantity: formatQuantity(q),
          unit: unitOf(p.spec),
          time: BigInt(chainStart(p.due + 1) - 1),
        },
        onId: (id) => needIds.set(key(p.spec, p.due), id),
      });
    }
    if (t === 0)
      round1.push({
        signer: coordinator,
        draft: { action: "cite", resourceSpec: recipes.spec, quantity: "1", unit: "ea", evidence: recipes.hash },
        onId: (id) => (cite = id),
      });
    if (!ev.plan) throw new Error(`simulation period ${t} has no plan`);
    const periodStarts = Array.from({ length: ev.plan.horizon + 1 }, (_, h) => chainStart(t + h));
    const signals = planSignals({ ...ev.plan, periodStarts }).filter((s) => s.period === 0);
    // The coordinator's standing plan signals, from the ledger: what a new plan supersedes.
    const standing = signals.length ? deriveNeeds(await reader.views(), now).filter((n) => n.signal !== undefined && isOpen(n)) : [];
    const changes = signalRecords(signals, standing, { commons, coordinator: coordinator.address, bookHash: recipes.hash });
    for (const c of changes.create) round1.push({ signer: coordinator, draft: c.draft, onId: (id) => intentIds.set(key(c.signal.processName, t), id) });
    for (const u of changes.unchanged) if (u.signal?.period === 0) intentIds.set(key(u.signal.processName, t), u.entryId);
    await recorder.round(round1, now, "need and intent");
    for (const c of changes.correct) {
      const { id, receipt } = await client.correct(coordinator, c.entryId, c.draft);
      recorder.bump(coordinator.address);
      recorder.transactions++;
      recorder.gasUsed += receipt.gasUsed;
      recorder.entries++;
      count.superseded++;
      if (c.signal?.period === 0) intentIds.set(key(c.signal.processName, t), id);
    }

    // ---- 2. commitments, outputs arriving, deliveries, hand-overs; then what the runs take
    const round2: Pending[] = [];
    const inputs: Pending[] = [];
    for (const x of ev.initial ?? []) {
      const holder = agentOf.get(model.processes[model.producers.get(x.spec)![0]].name)!;
      const q = increase(x.spec, x.quantity);
      if (q === 0n) continue;
      const lot: Lot = { id: label(`${x.spec} seed stock (${tag})`), holder, left: q };
      addLot(x.spec, lot);
      round2.push({
        signer: holder,
        draft: { action: "raise", resource: lot.id, resourceSpec: labelId(x.spec), quantity: formatQuantity(q), unit: unitOf(x.spec) },
      });
    }
    for (const s of ev.started) {
      const p = processByName.get(s.process)!;
      const intent = intentIds.get(key(s.process, t));
      const q = plannedQuantity(s.committed * p.output.quantity);
      if (intent === undefined || q === 0n) continue;
      round2.push({
        signer: agentOf.get(s.process)!,
        draft: {
          flow: "commitment",
          action: "produce",
          resourceSpec: labelId(p.output.spec),
          process: runId(s.process, t),
          side: "output",
          quantity: formatQuantity(q),
          unit: p.output.unit,
          time: BigInt(chainStart(s.arrives)),
          satisfies: intent,
        },
        onId: (id) => commitIds.set(key(s.process, t), id),
      });
    }
    for (const a of ev.arrived) {
      const q = increase(a.spec, a.quantity, plannedQuantity(a.quantity));
      if (q === 0n) continue;
      const holder = agentOf.get(a.process)!;
      const lot: Lot = { id: lotId(a.spec, t, a.process), holder, left: q };
      addLot(a.spec, lot);
      round2.push({
        signer: holder,
        draft: {
          action: "produce",
          resource: lot.id,
          resourceSpec: labelId(a.spec),
          process: runId(a.process, a.started),
          side: "output",
          quantity: formatQuantity(q),
          unit: unitOf(a.spec),
          satisfies: commitIds.get(key(a.process, a.started)),
        },
      });
    }
    // A need met in full takes exactly what it asks.
    for (const d of ev.delivered)
      for (const { lot, quantity } of decrease(d.spec, d.quantity, d.quantity === d.due ? toMicro(d.due) : undefined)) {
        count.deliveries++;
        round2.push({
          signer: lot.holder,
          draft: {
            action: "transfer",
            receiver: customer.address,
            resource: lot.id,
            resourceSpec: labelId(d.spec),
            quantity: formatQuantity(quantity),
            unit: unitOf(d.spec),
            satisfies: needIds.get(key(d.spec, t)),
          },
        });
      }
    for (const c of ev.consumed) {
      const consumer = agentOf.get(c.process)!;
      for (const { lot, quantity } of decrease(c.spec, c.quantity)) {
        const portion = { resource: lot.id, resourceSpec: labelId(c.spec), quantity: formatQuantity(quantity), unit: unitOf(c.spec) };
        if (lot.holder !== consumer) {
          count.handOvers++;
          round2.push({ signer: lot.holder, draft: { action: "transfer", receiver: consumer.address, ...portion } });
        }
        count.lotConsumes++;
        inputs.push({ signer: consumer, draft: { action: "consume", process: runId(c.process, t), side: "input", ...portion } });
      }
    }
    // After every hand-over (a batch records in order): consumption, inputs from outside, work.
    for (const s of ev.started) {
      if (s.activity <= 0) continue;
      const p = processByName.get(s.process)!;
      for (const i of p.inputs) {
        if (i.action === "consume" && model.producers.has(i.spec)) continue; // from lots, above
        const q = toMicro(i.quantity * s.activity);
        if (q === 0n) continue;
        if (i.action !== "work") count.outsideInputs++;
        inputs.push({
          signer: agentOf.get(s.process)!,
          draft: {
            action: i.action,
            resourceSpec: labelId(i.spec),
            process: runId(s.process, t),
            side: "input",
            quantity: formatQuantity(q),
            unit: i.unit,
          },
        });
      }
    }
    await recorder.round([...round2, ...inputs], now, "commitment and event");

    // The simulation's stock at the period's end is the reference from here on.
    for (const x of ev.stock) {
      const f = float.get(x.spec) ?? 0;
      if (Math.abs(f - x.quantity) > 1e-6) throw new Error(`period ${t}: the events of "${x.spec}" add up to ${f}, the simulation holds ${x.quantity}`);
      float.set(x.spec, x.quantity);
    }
    const end = await provider.getBlock("latest");
    if (end && end.timestamp >= chainStart(t + 1))
      throw new Error(`recording simulation period ${t} took the chain's clock past its end: periods of ${model.periodSeconds} s are too short`);
    periods.push({
      t,
      time,
      entries: recorder.entries - before.entries,
      transactions: recorder.transactions - before.transactions,
      gasUsed: recorder.gasUsed - before.gasUsed,
    });
    o.onPeriod?.(periods.length, events.length);
  }

  // ---- read the ledger back and compare
  const now = BigInt(await mineNow(provider));
  const views = await reader.views();
  const check = compare(views, events, { model, commons, customer: customer.address, coordinator: coordinator.address, now, needIds });
  const byAction: Record<string, number> = {};
  for (const v of views) if (v.flow === "event") byAction[v.action] = (byAction[v.action] ?? 0) + 1;
  if (views.length !== recorder.entries) check.mismatches.push(`the ledger holds ${views.length} entries of the commons, ${recorder.entries} were recorded`);
  check.ok = check.mismatches.length === 0;

  return {
    simulation,
    chainId: DEV_CHAIN_ID,
    ledger: o.ledger,
    commons,
    commonsName,
    roles: {
      payer: payer.address,
      coordinator: coordinator.address,
      customer: customer.address,
      agents: agents.map((a) => a.address),
      processes: Object.fromEntries([...agentOf].map(([name, w]) => [name, w.address])),
    },
    book: { name: model.name, version: model.version, hash: recipes.hash, periodSeconds: model.periodSeconds, cite: String(cite) },
    firstPeriod: first,
    start: chainStart(0),
    end: chainStart(events.length),
    periods,
    counts: {
      entries: views.length,
      transactions: recorder.transactions,
      gasUsed: recorder.gasUsed,
      registrationGas: registration.gasUsed,
      needs: views.filter((v) => v.flow === "need" && v.action === "transfer").length,
      intents: views.filter((v) => v.flow === "need" && v.action === "produce").length,
      superseded: count.superseded,
      commitments: views.filter((v) => v.flow === "commitment").length,
      events: views.filter((v) => v.flow === "event").length,
      byAction,
      deliveries: count.deliveries,
      handOvers: count.handOvers,
      lotConsumes: count.lotConsumes,
      outsideInputs: count.outsideInputs,
    },
    check,
    labels: [...labels],
  };
}

function compare(
  views: readonly EntryView[],
  events: readonly PeriodEvents[],
  c: { model: Recipes["model"]; commons: string; customer: string; coordinator: string; now: bigint; needIds: Map<string, bigint> },
): ChainCheck {
  const mismatches: string[] = [];
  const resourceProblems: string[] = [];
  const customer = c.customer.toLowerCase();
  const specOf = new Map([...c.model.producers.keys()].map((s) => [labelId(s), s]));
  const held = new Map<string, bigint>();
  for (const r of deriveResources(views).values()) {
    for (const p of r.problems) resourceProblems.push(`resource ${r.id} entry ${p.id}: ${p.reason}`);
    const spec = specOf.get(r.resourceSpec);
    if (spec === undefined) continue;
    for (const [holder, q] of r.onhand) if (holder.toLowerCase() !== customer) held.set(spec, (held.get(spec) ?? 0n) + q);
  }
  const last = events.at(-1)!;
  const stock = last.stock.map((x) => {
    const ledger = held.get(x.spec) ?? 0n;
    const difference = Math.abs(fromMicro(ledger) - x.quantity);
    if (difference > 1e-6 + 1e-9)
      mismatches.push(`"${x.spec}": the ledger's lots hold ${formatQuantity(ledger)} ${c.model.unitOf.get(x.spec)}, the simulation ends with ${x.quantity}`);
    return { spec: x.spec, unit: c.model.unitOf.get(x.spec)!, ledger: formatQuantity(ledger), simulation: x.quantity, difference };
  });
  for (const p of resourceProblems.slice(0, 5)) mismatches.push(p);

  const needs = new Map(deriveNeeds(views, c.now).map((n) => [n.id, n]));
  let asked = 0n;
  let met = 0n;
  let delivered = 0;
  let largestDifference = 0;
  let needCount = 0;
  for (const e of events)
    for (const d of e.delivered) {
      delivered += d.quantity;
      const id = c.needIds.get(`${d.spec}@${e.t}`);
      const need = id === undefined ? undefined : needs.get(id);
      if (!need) {
        if (d.quantity > 0) mismatches.push(`period ${e.t}: ${d.quantity} of "${d.spec}" was delivered against no need on the ledger`);
        continue;
      }
      needCount++;
      asked += need.quantity;
      met += need.satisfied;
      const difference = Math.abs(fromMicro(need.satisfied) - d.quantity);
      largestDifference = Math.max(largestDifference, difference);
      if (difference > 1e-6 + 1e-9)
        mismatches.push(`need #${need.id} (period ${e.t}): events met ${formatQuantity(need.satisfied)}, the simulation delivered ${d.quantity}`);
    }
  const intents = [...needs.values()].filter((n) => n.signal !== undefined && n.agent.toLowerCase() === c.coordinator.toLowerCase());
  return {
    ok: false,
    stock,
    needs: { count: needCount, asked: formatQuantity(asked), met: formatQuantity(met), delivered, largestDifference },
    intents: { count: intents.length, committed: intents.filter((n) => n.committed > 0n).length, met: intents.filter((n) => n.open === 0n).length },
    resourceProblems,
    mismatches,
  };
}
