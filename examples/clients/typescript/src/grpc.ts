// Custody over gRPC with @grpc/grpc-js, the proto loaded at run time from proto/custody/v1:
// create a wallet, sign an EIP-1559 transaction, retry it (the stored reply, flagged by the
// custody-replayed header), and check the audit receipt.
//
// Environment: CUSTODY_GRPC (default 127.0.0.1:7443, plaintext; set CUSTODY_GRPC_CA to a PEM file
// for TLS), CUSTODY_ADMIN_TOKEN and CUSTODY_SIGNER_TOKEN (files holding the tokens), CUSTODY_PAYLOAD.
import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { getProtoPath } from "google-proto-files";
import { checkReceipt, settings, sleep } from "./receipt.js";

const endpoint = process.env.CUSTODY_GRPC ?? "127.0.0.1:7443";
const { file, payloadFile } = settings();
const admin = readFileSync(file("CUSTODY_ADMIN_TOKEN"), "ascii").trim();
const signer = readFileSync(file("CUSTODY_SIGNER_TOKEN"), "ascii").trim();

const protoRoot = fileURLToPath(new URL("../../../../proto", import.meta.url));
const definition = protoLoader.loadSync(["custody/v1/wallet.proto", "custody/v1/signing.proto", "custody/v1/audit.proto"], {
  includeDirs: [protoRoot, getProtoPath("..")], // google/api/annotations.proto comes from google-proto-files
  longs: String, enums: String, defaults: true, oneofs: true,
});
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const v1 = (grpc.loadPackageDefinition(definition) as any).custody.v1;
const credentials = process.env.CUSTODY_GRPC_CA
  ? grpc.credentials.createSsl(readFileSync(process.env.CUSTODY_GRPC_CA))
  : grpc.credentials.createInsecure();
const wallets = new v1.WalletService(endpoint, credentials);
const signing = new v1.SigningService(endpoint, credentials);
const audit = new v1.AuditService(endpoint, credentials);

/** One unary call with a bearer token; resolves with the response and the server's initial metadata. */
function call<T>(client: grpc.Client, method: string, token: string, request: object): Promise<{ response: T; headers: grpc.Metadata }> {
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  return new Promise((resolve, reject) => {
    let headers = new grpc.Metadata();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const unary = (client as any)[method].bind(client) as (r: object, m: grpc.Metadata, cb: (e: grpc.ServiceError | null, r: T) => void) => grpc.ClientUnaryCall;
    const pending = unary(request, metadata, (error, response) => (error ? reject(error) : resolve({ response, headers })));
    pending.on("metadata", (m: grpc.Metadata) => { headers = m; });
  });
}

try {
  const payload = readFileSync(payloadFile, "ascii").trim();
  const { response: wallet } = await call<{ walletId: string; backup: string }>(wallets, "CreateWallet", admin,
    { name: "typescript-grpc-example", kind: "WALLET_KIND_HD", backup: "WALLET_BACKUP_NONE_ACKNOWLEDGED" });
  const { response: address } = await call<{ address: string }>(wallets, "DeriveAddress", signer, { walletId: wallet.walletId, chain: "eth", index: 0 });
  console.log(`wallet ${wallet.walletId} (backup ${wallet.backup}), eth address ${address.address}`);

  type Signed = { txId: string; policyRule: string; audit: { sequence: string } };
  const request = { requestId: `ts-grpc-${randomUUID()}`, walletId: wallet.walletId, chain: "eth", payload };
  const { response: signed } = await call<Signed>(signing, "SignTransaction", signer, request);
  const { response: again, headers } = await call<Signed>(signing, "SignTransaction", signer, request);
  if (JSON.stringify(again) !== JSON.stringify(signed) || headers.get("custody-replayed")[0] !== "true")
    throw new Error("a retry must return the stored reply");
  console.log(`signed ${signed.txId} (rule ${signed.policyRule}), audit record ${signed.audit.sequence}`);

  type ProofMessage = { sequence: string; recordData: Buffer; treeSize: string; path: Buffer[]; checkpointIndex: string; checkpoint: string };
  for (let attempt = 0; ; attempt++) {
    try {
      const { response: p } = await call<ProofMessage>(audit, "GetInclusionProof", admin, { sequence: signed.audit.sequence });
      console.log(checkReceipt({
        sequence: BigInt(p.sequence), recordData: p.recordData, treeSize: BigInt(p.treeSize), path: p.path,
        checkpointIndex: BigInt(p.checkpointIndex), checkpoint: p.checkpoint,
      }));
      break;
    } catch (e) {
      // Not covered by a checkpoint yet: INVALID_ARGUMENT until the next one is signed.
      if ((e as grpc.ServiceError).code !== grpc.status.INVALID_ARGUMENT || attempt >= 50) throw e;
      await sleep(200);
    }
  }
} finally {
  for (const client of [wallets, signing, audit]) client.close();
}
