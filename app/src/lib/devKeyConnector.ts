// A wallet for the local development chain only: holds one of anvil's well-known dev keys (the
// public "test test ... junk" mnemonic) in the page, signs typed data and transactions locally and
// sends everything else to the node. Never offered for any other chain: these keys are public.
import { createConnector } from "wagmi";
import { createWalletClient, getAddress, http, numberToHex, UserRejectedRequestError } from "viem";
import type { EIP1193RequestFn, TypedDataDefinition } from "viem";
import type { HDAccount } from "viem/accounts";
import { DEV_MNEMONIC } from "@core/dev-chain-keys.js";

export interface DevKeyParameters {
  index: number;
  label: string;
  chainId: number;
  rpcUrl: string;
}

export function devKey({ index, label, chainId, rpcUrl }: DevKeyParameters) {
  // Derived on first use: deriving a key from a mnemonic costs ~100 ms (PBKDF2), too much for
  // every page load. viem's accounts code (BIP-32, BIP-39, secp256k1 signing) loads then too, so
  // that the first download of a page that never signs leaves it out.
  let derived: HDAccount | undefined;
  const key = async () => (derived ??= (await import("viem/accounts")).mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index }));
  let connected = false;
  const rpc = async (method: string, params: unknown): Promise<unknown> => {
    const res = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: params ?? [] }),
    });
    const json = (await res.json()) as { result?: unknown; error?: { code: number; message: string; data?: unknown } };
    if (json.error) throw Object.assign(new Error(json.error.message), { code: json.error.code, data: json.error.data });
    return json.result;
  };
  const request = (async ({ method, params }: { method: string; params?: unknown }) => {
    const p = (params ?? []) as unknown[];
    switch (method) {
      case "eth_chainId":
        return numberToHex(chainId);
      case "eth_accounts":
      case "eth_requestAccounts":
        return connected || method === "eth_requestAccounts" ? [(await key()).address] : [];
      case "eth_signTypedData_v4": {
        const account = await key();
        if (getAddress(p[0] as string) !== account.address) throw new UserRejectedRequestError(new Error("not this key's account"));
        const data = (typeof p[1] === "string" ? JSON.parse(p[1]) : p[1]) as TypedDataDefinition & { types: Record<string, unknown> };
        const { EIP712Domain: _domain, ...types } = data.types;
        return account.signTypedData({ ...data, types } as TypedDataDefinition);
      }
      case "personal_sign":
        return (await key()).signMessage({ message: { raw: p[0] as `0x${string}` } });
      case "eth_sendTransaction": {
        const tx = p[0] as { to?: `0x${string}`; data?: `0x${string}`; value?: `0x${string}`; gas?: `0x${string}` };
        const wallet = createWalletClient({ account: await key(), transport: http(rpcUrl) });
        return wallet.sendTransaction({
          to: tx.to,
          data: tx.data,
          value: tx.value ? BigInt(tx.value) : undefined,
          gas: tx.gas ? BigInt(tx.gas) : undefined,
          chain: null,
        });
      }
      case "wallet_switchEthereumChain":
        if (Number((p[0] as { chainId: string }).chainId) !== chainId) throw new Error(`the dev key works on the local chain (${chainId}) only`);
        return null;
      default:
        return rpc(method, p);
    }
  }) as EIP1193RequestFn;
  const provider = { request, on() {}, removeListener() {} };

  return createConnector((config) => ({
    id: `devkey-${index}`,
    name: `Dev key: ${label} (local chain only)`,
    type: "devKey",
    async connect<withCapabilities extends boolean = false>(_params?: { chainId?: number; isReconnecting?: boolean; withCapabilities?: withCapabilities }) {
      connected = true;
      return { accounts: [(await key()).address] as never, chainId };
    },
    async disconnect() {
      connected = false;
    },
    async getAccounts() {
      return connected ? [(await key()).address] : [];
    },
    async getChainId() {
      return chainId;
    },
    async getProvider() {
      return provider;
    },
    async isAuthorized() {
      return connected;
    },
    async switchChain({ chainId: wanted }: { chainId: number }) {
      const chain = config.chains.find((c) => c.id === wanted);
      if (!chain || wanted !== chainId) throw new Error(`the dev key works on the local chain (${chainId}) only`);
      return chain;
    },
    onAccountsChanged() {},
    onChainChanged() {},
    onDisconnect() {
      connected = false;
      config.emitter.emit("disconnect");
    },
  }));
}
