// Contributing a record: check the form against the chain's current state, have the wallet sign
// the EIP-712 record (readable typed data: the same domain and types as scripts/lib/core/record.ts),
// then submit it through the relayer (gasless) or directly. Phases: idle, pending (the wallet),
// confirming (the relayer or the chain), done, failed. Declining in the wallet returns to idle.
import { useMemo, useState } from "react";
import { decodeEventLog } from "viem";
import type { Abi, TypedDataDefinition } from "viem";
import { DOMAIN_NAME, DOMAIN_VERSION, RECORD_TYPES, ledgerDomain, toSignedJson } from "@core/record.js";
import type { LedgerRecord } from "@core/record.js";
import { packNonce } from "@core/record.js";
import { buildEntryProof } from "@core/proof.js";
import { ledgerAbi } from "../contracts/generated";
import { explainError } from "../lib/errors";
import { evidenceOfFile } from "../lib/evidence";
import { checkForm, EMPTY_FORM } from "../lib/recordForm";
import type { FieldErrors, RecordForm } from "../lib/recordForm";
import { useEntry } from "./useEntry";
import { ledgerQuery } from "./useLedger";
import { typedData, useWriteFlow } from "./useWriteFlow";

/** Nonce key of records signed in the app (the CLI uses 1 for records and 2 for validations). */
export const APP_NONCE_KEY = 3n;

export type Via = "relayer" | "direct";

export function recordTypedData(chainId: number, ledger: string, record: LedgerRecord): TypedDataDefinition {
  return typedData({ name: DOMAIN_NAME, version: DOMAIN_VERSION, chainId, verifyingContract: ledger }, RECORD_TYPES, "Record", record);
}

export function useContribute() {
  const flow = useWriteFlow(explainError);
  const { chain, wallet, client, phase, setPhase } = flow;
  const [form, setForm] = useState<RecordForm>(EMPTY_FORM);
  const [touched, setTouched] = useState<Partial<Record<keyof RecordForm, boolean>>>({});
  const [via, setVia] = useState<Via>(chain.relayerUrl ? "relayer" : "direct");
  const [submitErrors, setSubmitErrors] = useState<FieldErrors>({});
  const [evidenceFile, setEvidenceFile] = useState<{ name: string; size: number } | undefined>(undefined);
  const ledger = chain.contracts.Ledger;
  // The entry a correction names, as read (through the indexer, that entry alone): its agent and
  // what corrected it. Unknown (no check) until it is read; read and absent: there is no such entry.
  const correctsText = form.corrects.trim();
  const corrects = /^\d{1,19}$/.test(correctsText) && BigInt(correctsText) > 0n ? BigInt(correctsText) : undefined;
  const earlier = useEntry(corrects);
  const earlierView = earlier.view;
  const knownEntry = useMemo(() => {
    if (earlierView) return (id: bigint) => (id === earlierView.id ? { agent: earlierView.agent, correctedBy: earlierView.correctedBy } : undefined);
    return earlier.missing ? () => undefined : undefined;
  }, [earlierView, earlier.missing]);

  // Live check as the user types (placeholder agent and nonce until the wallet and chain are read).
  const live = useMemo(
    () =>
      checkForm(form, {
        agent: wallet.address ?? "0x0000000000000000000000000000000000000001",
        // eslint-disable-next-line react-hooks/purity -- a live hint: "now" is read when the form changes (submit checks at chain time)
        now: BigInt(Math.floor(Date.now() / 1000)),
        nonce: 0n,
        entry: knownEntry,
      }),
    [form, wallet.address, knownEntry],
  );
  const errors: FieldErrors = {};
  for (const [k, v] of Object.entries(live.errors))
    if (touched[k as keyof RecordForm] || submitErrors[k as keyof FieldErrors]) errors[k as keyof FieldErrors] = v;
  if (submitErrors.form) errors.form = submitErrors.form;

  const busy = flow.busy;
  const disabledReason = !ledger
    ? "No Ledger is known on this chain."
    : !wallet.connected
      ? "Connect a wallet to sign."
      : wallet.wrongChain
        ? `Your wallet is on another chain: switch to ${chain.name} first.`
        : via === "relayer" && !chain.relayerUrl
          ? "No relayer is configured for this chain."
          : undefined;

  function update<K extends keyof RecordForm>(key: K, value: RecordForm[K]) {
    setForm((f) => ({ ...f, [key]: value }));
    // A digest typed over a chosen file's is no longer that file's.
    if (key === "evidence") setEvidenceFile(undefined);
    setTouched((t) => ({ ...t, [key]: true }));
    setSubmitErrors({});
    if (phase.kind === "done" || phase.kind === "failed") setPhase({ kind: "idle" });
  }

  async function submit() {
    setTouched(Object.fromEntries(Object.keys(form).map((k) => [k, true])));
    if (disabledReason || busy || !ledger || !wallet.address || !client) return;
    const agent = wallet.address;
    await flow.run(async () => {
      const commonsId = /^0x[0-9a-fA-F]{64}$/.test(form.commons.trim()) ? (form.commons.trim() as `0x${string}`) : undefined;
      const [block, nonce, tip, commonsRegistered] = await Promise.all([
        client.getBlock({ blockTag: "latest" }),
        client.readContract({ address: ledger, abi: ledgerAbi, functionName: "nonces", args: [agent, APP_NONCE_KEY] }),
        client.readContract({ address: ledger, abi: ledgerAbi, functionName: "tip" }),
        commonsId ? client.readContract({ address: ledger, abi: ledgerAbi, functionName: "commonsExists", args: [commonsId] }) : undefined,
      ]);
      const checked = checkForm(form, {
        agent,
        now: block.timestamp,
        nonce: packNonce(APP_NONCE_KEY, nonce & ((1n << 64n) - 1n)),
        nextId: tip[0] + 1n,
        commonsRegistered,
        entry: knownEntry,
      });
      if (!checked.record) {
        setSubmitErrors(checked.errors);
        return;
      }
      const record = checked.record;
      const signature = await flow.sign(recordTypedData(chain.id, ledger, record), "Waiting for your signature in the wallet…");
      if (via === "relayer") {
        const final = await flow.relay(
          toSignedJson(ledgerDomain(chain.id, ledger), record, signature),
          "Sent to the relayer; waiting for it to record the entry…",
        );
        setPhase({ kind: "done", entryId: BigInt(final.entryId!), txHash: final.txHash ?? undefined, via });
      } else {
        // Simulated first: a record the Ledger would refuse is explained before any gas is spent. A
        // correction carries the proof of the entry it corrects, built from the ledger's events (read
        // from the chain now if the page read through the indexer: the contract checks the proof).
        let call: { address: `0x${string}`; abi: Abi; functionName: string; args: unknown[] };
        if (record.corrects === 0n) call = { address: ledger, abi: ledgerAbi as Abi, functionName: "record", args: [record, signature] };
        else {
          setPhase({ kind: "confirming", detail: `Reading the ledger's events to prove entry #${record.corrects}…` });
          const { events } = await flow.queryClient.fetchQuery(ledgerQuery(chain));
          call = {
            address: ledger,
            abi: ledgerAbi as Abi,
            functionName: "recordCorrection",
            args: [record, signature, buildEntryProof(events.entries, record.corrects)],
          };
        }
        const { hash, receipt } = await flow.send(call, "Confirm the transaction in your wallet (you pay the gas)…");
        let entryId: bigint | undefined;
        for (const log of receipt.logs) {
          if (log.address.toLowerCase() !== ledger.toLowerCase()) continue;
          try {
            const e = decodeEventLog({ abi: ledgerAbi, data: log.data, topics: log.topics });
            if (e.eventName === "Recorded") entryId = (e.args as { id: bigint }).id;
          } catch {
            /* another event */
          }
        }
        if (entryId === undefined) throw new Error("the transaction recorded no entry");
        setPhase({ kind: "done", entryId, txHash: hash, via });
      }
      void flow.queryClient.invalidateQueries({ queryKey: ["ledger-events"] });
    });
  }

  /** Fills the evidence field with the digest of a file chosen in the browser. */
  async function evidenceFromFile(file: File) {
    const digest = await evidenceOfFile(file);
    update("evidence", digest);
    setEvidenceFile({ name: file.name, size: file.size });
  }

  return {
    form,
    update,
    errors,
    via,
    setVia,
    phase,
    submit,
    busy,
    disabledReason,
    evidenceFile,
    evidenceFromFile,
    reset: () => setPhase({ kind: "idle" }),
  };
}
