// A cosigner independent of Custody: bitcoinjs-lib (with @bitcoinerlab/secp256k1) adds its own
// partial signatures to a multisig PSBT (ECDSA, or BIP340 for a taproot script path), checks
// every signature in Custody's PSBT, then combines them, finalises and extracts on its own.
// Reads {"psbt", "ours", "keys": [{"input", "privateKey"}]} on stdin.
import * as bitcoin from 'bitcoinjs-lib';
import * as ecc from '@bitcoinerlab/secp256k1';

bitcoin.initEccLib(ecc);

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const psbt = bitcoin.Psbt.fromBase64(request.psbt);
for (const k of request.keys) {
  const privateKey = Buffer.from(k.privateKey, 'hex');
  const signer = {
    publicKey: Buffer.from(ecc.pointFromScalar(privateKey, true)),
    sign: (hash) => Buffer.from(ecc.sign(hash, privateKey)),
    signSchnorr: (hash) => Buffer.from(ecc.signSchnorr(hash, privateKey)),
  };
  psbt.signInput(k.input, signer);
}
const cosigned = psbt.toBase64();

const combined = bitcoin.Psbt.fromBase64(cosigned).combine(bitcoin.Psbt.fromBase64(request.ours));
const valid = combined.validateSignaturesOfAllInputs((pubkey, hash, signature) =>
  pubkey.length === 32 ? ecc.verifySchnorr(hash, pubkey, signature) : ecc.verify(hash, pubkey, signature));
if (!valid) throw new Error('a signature does not verify');

// bitcoinjs' own script-path finaliser pushes only the signatures present; a multi_a leaf wants one
// element per key (empty for a key that does not sign), in reverse key order. The harness's
// PSBTs carry exactly the threshold's signatures, so all present are used.
const multiAFinalizer = (inputIndex, input) => {
  const leaf = input.tapLeafScript[0];
  const leafHash = bitcoin.crypto.taggedHash('TapLeaf',
    Buffer.concat([Buffer.from([leaf.leafVersion]), varSlice(leaf.script)]));
  const keys = bitcoin.script.decompile(leaf.script).filter((c) => Buffer.isBuffer(c) && c.length === 32);
  const items = keys.map((key) => (input.tapScriptSig || []).find((s) => s.pubkey.equals(key) && s.leafHash.equals(leafHash))?.signature
    ?? Buffer.alloc(0));
  const stack = [...items.reverse(), leaf.script, leaf.controlBlock];
  return { finalScriptWitness: witness(stack) };
};

function varInt(n) {
  if (n < 0xfd) return Buffer.from([n]);
  const b = Buffer.alloc(3);
  b[0] = 0xfd;
  b.writeUInt16LE(n, 1);
  return b;
}
const varSlice = (b) => Buffer.concat([varInt(b.length), b]);
const witness = (stack) => Buffer.concat([varInt(stack.length), ...stack.map(varSlice)]);

combined.data.inputs.forEach((input, i) => {
  if (input.tapLeafScript?.length) combined.finalizeTaprootInput(i, undefined, multiAFinalizer);
  else combined.finalizeInput(i);
});
const tx = combined.extractTransaction();
process.stdout.write(JSON.stringify({ cosigned, txHex: tx.toHex(), txid: tx.getId() }));
