// The audit receipt, checked by the client itself: the signed record's leaf hash, its inclusion
// path (RFC 9162 section 2.1.3.2) and the root of the signed checkpoint the daemon returned.
import { createHash } from "node:crypto";

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** Does the path lead from the leaf at `index` to `root`, in a tree of `size` leaves? */
export function verifyInclusion(index: bigint, size: bigint, leafHash: Buffer, path: Buffer[], root: Buffer): boolean {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1n;
  let r = leafHash;
  for (const p of path) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = sha256(Buffer.of(1), p, r);
      if ((fn & 1n) === 0n) while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      r = sha256(Buffer.of(1), r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && r.equals(root);
}

export interface Proof {
  sequence: bigint;
  recordData: Buffer;
  treeSize: bigint;
  path: Buffer[];
  checkpointIndex: bigint;
  checkpoint: string; // C2SP signed note: origin, tree size, base64 root, then signatures
}

/** Checks a proof against its checkpoint; returns the line to print, throws when it does not hold. */
export function checkReceipt(proof: Proof): string {
  const [origin, size, root] = proof.checkpoint.split("\n");
  const leaf = sha256(Buffer.of(0), proof.recordData);
  if (BigInt(size) !== proof.treeSize || !verifyInclusion(proof.sequence, proof.treeSize, leaf, proof.path, Buffer.from(root, "base64")))
    throw new Error(`record ${proof.sequence}: the inclusion proof does not lead to the checkpoint's root`);
  return `audit record ${proof.sequence} is in checkpoint ${proof.checkpointIndex} of ${origin} (tree size ${size})`;
}

/** Environment shared by both examples; tokens come from files, never from the command line. */
export function settings() {
  const file = (name: string, fallback?: string): string => {
    const path = process.env[name] ?? fallback;
    if (!path) throw new Error(`${name} is not set`);
    return path;
  };
  return {
    file,
    payloadFile: file("CUSTODY_PAYLOAD", new URL("../../../payloads/eth-0.01.unsigned.hex", import.meta.url).pathname),
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
