// Audit proofs checked in the browser with WebCrypto: the record's leaf hash, its inclusion path
// (RFC 9162 section 2.1.3.2) up to the checkpoint's root, and the checkpoint's Ed25519 signature
// (C2SP signed note) under the verifier key. The daemon's answer is never taken on trust.

const encoder = new TextEncoder();

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", concat(...parts) as BufferSource));
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The root the path leads to from leaf `index` of a tree of `size` leaves, or null when it cannot. */
async function rootFromPath(index: bigint, size: bigint, leaf: Uint8Array, path: Uint8Array[]): Promise<Uint8Array | null> {
  if (index >= size) return null;
  let fn = index, sn = size - 1n, r = leaf;
  for (const p of path) {
    if (p.length !== 32 || sn === 0n) return null;
    if ((fn & 1n) === 1n || fn === sn) {
      r = await sha256(Uint8Array.of(1), p, r);
      if ((fn & 1n) === 0n) while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      r = await sha256(Uint8Array.of(1), r, p);
    }
    fn >>= 1n; sn >>= 1n;
  }
  return sn === 0n ? r : null;
}

interface ProofJson { sequence: string; recordData: string; treeSize: string; path: string[]; checkpointIndex: string; checkpoint: string }

/** Checks the C2SP signed note's signature by `vkey` (name+hexid+base64(0x01 ‖ key)); the note's body lines, or throws. */
async function verifyNote(note: string, vkey: string): Promise<string[]> {
  // The key's base64 may itself hold '+': only the first two separate fields.
  const first = vkey.indexOf("+"), second = vkey.indexOf("+", first + 1);
  const [name, id, key] = [vkey.slice(0, first), vkey.slice(first + 1, second), vkey.slice(second + 1)];
  const keyBytes = fromBase64(key ?? "");
  if (keyBytes.length !== 33 || keyBytes[0] !== 1) throw new Error("the verifier key is not an Ed25519 signed-note key");
  const split = note.lastIndexOf("\n\n");
  if (split < 0) throw new Error("the checkpoint is not a signed note");
  const body = note.slice(0, split + 1);
  const publicKey = await crypto.subtle.importKey("raw", keyBytes.slice(1) as BufferSource, { name: "Ed25519" }, false, ["verify"]);
  for (const line of note.slice(split + 2).split("\n")) {
    const [dash, signer, signature] = line.split(" ");
    if (dash !== "\u2014" || signer !== name || !signature) continue;
    const bytes = fromBase64(signature);
    const keyId = Array.from(bytes.slice(0, 4), b => b.toString(16).padStart(2, "0")).join("");
    if (keyId !== id || bytes.length !== 68) continue;
    if (await crypto.subtle.verify({ name: "Ed25519" }, publicKey, bytes.slice(4) as BufferSource, encoder.encode(body) as BufferSource))
      return body.split("\n");
    throw new Error("the checkpoint's signature does not verify under the verifier key");
  }
  throw new Error(`the checkpoint carries no signature by ${name}`);
}

/** Proves the record is in the signed checkpoint; a sentence saying what was checked, or throws saying what failed. */
async function verifyInclusion(proof: ProofJson, vkey: string): Promise<string> {
  const [origin, size, root] = await verifyNote(proof.checkpoint, vkey);
  if (size !== proof.treeSize) throw new Error(`the proof is for tree size ${proof.treeSize}, the checkpoint for ${size}`);
  const leaf = await sha256(Uint8Array.of(0), fromBase64(proof.recordData));
  const computed = await rootFromPath(BigInt(proof.sequence), BigInt(proof.treeSize), leaf, proof.path.map(fromBase64));
  if (computed === null || !equal(computed, fromBase64(root ?? "")))
    throw new Error(`record ${proof.sequence}: the inclusion proof does not lead to the checkpoint's root`);
  return `record ${proof.sequence} is in checkpoint ${proof.checkpointIndex} of ${origin} (tree size ${size}), signature verified`;
}
