// Custody over HTTP/JSON with fetch alone: create a wallet, sign an EIP-1559 transaction, retry it
// (the stored reply, never a second signature), and check the audit receipt.
//
// Environment: CUSTODY_API (default http://127.0.0.1:7444), CUSTODY_ADMIN_TOKEN and
// CUSTODY_SIGNER_TOKEN (files holding the tokens), CUSTODY_PAYLOAD (default examples/payloads/eth-0.01.unsigned.hex).
import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { checkReceipt, settings, sleep } from "./receipt.js";

const api = process.env.CUSTODY_API ?? "http://127.0.0.1:7444";
const { file, payloadFile } = settings();
const admin = readFileSync(file("CUSTODY_ADMIN_TOKEN"), "ascii").trim();
const signer = readFileSync(file("CUSTODY_SIGNER_TOKEN"), "ascii").trim();

/** A refusal throws with the google.rpc.Status the daemon sent: its ErrorInfo names the reason. */
class ApiError extends Error {
  constructor(readonly status: number, readonly reasons: string[], message: string) {
    super(`HTTP ${status} [${reasons.join(", ")}]: ${message}`);
  }
}

async function call<T>(method: string, path: string, token: string, body?: unknown): Promise<{ json: T; headers: Headers }> {
  const response = await fetch(api + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) {
    const reasons = (json.details ?? []).filter((d: { "@type"?: string }) => d["@type"]?.endsWith("ErrorInfo")).map((d: { reason: string }) => d.reason);
    throw new ApiError(response.status, reasons, json.message);
  }
  return { json: json as T, headers: response.headers };
}

const payload = readFileSync(payloadFile, "ascii").trim();
// A wallet made through the API has no backup of its keys: the request says it knows.
const { json: wallet } = await call<{ walletId: string; backup: string }>("POST", "/v1/wallets", admin,
  { name: "typescript-http-example", kind: "WALLET_KIND_HD", backup: "WALLET_BACKUP_NONE_ACKNOWLEDGED" });
const { json: address } = await call<{ address: string }>("POST", `/v1/wallets/${wallet.walletId}/addresses`, signer, { chain: "eth", index: 0 });
console.log(`wallet ${wallet.walletId} (backup ${wallet.backup}), eth address ${address.address}`);

// The request id makes the call idempotent: a retry gets the stored reply.
type Signed = { txId: string; policyRule: string; audit: { sequence: string } };
const request = { requestId: `ts-http-${randomUUID()}`, chain: "eth", payload };
const { json: signed } = await call<Signed>("POST", `/v1/wallets/${wallet.walletId}:signTransaction`, signer, request);
const { json: again, headers } = await call<Signed>("POST", `/v1/wallets/${wallet.walletId}:signTransaction`, signer, request);
if (JSON.stringify(again) !== JSON.stringify(signed) || headers.get("custody-replayed") !== "true")
  throw new Error("a retry must return the stored reply");
console.log(`signed ${signed.txId} (rule ${signed.policyRule}), audit record ${signed.audit.sequence}`);

// The receipt: the record is in the tree a signed checkpoint commits to (signed within a second or so).
type ProofJson = { sequence: string; recordData: string; treeSize: string; path: string[]; checkpointIndex: string; checkpoint: string };
for (let attempt = 0; ; attempt++) {
  try {
    const { json: p } = await call<ProofJson>("GET", `/v1/audit/records/${signed.audit.sequence}/proof`, admin);
    console.log(checkReceipt({
      sequence: BigInt(p.sequence), recordData: Buffer.from(p.recordData, "base64"), treeSize: BigInt(p.treeSize),
      path: p.path.map((h) => Buffer.from(h, "base64")), checkpointIndex: BigInt(p.checkpointIndex), checkpoint: p.checkpoint,
    }));
    break;
  } catch (e) {
    // Not covered by a checkpoint yet: the daemon says INVALID_ARGUMENT until the next one is signed.
    if (!(e instanceof ApiError && e.reasons.includes("INVALID_ARGUMENT")) || attempt >= 50) throw e;
    await sleep(200);
  }
}
