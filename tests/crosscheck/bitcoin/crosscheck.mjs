// Independent check of PSBTs signed by Custody: bitcoinjs-lib (with @bitcoinerlab/secp256k1)
// verifies every signature, computes the fee, finalises, extracts, and compares with what
// Custody produced. Reads {"cases": [...]} on stdin, prints one result per case on stdout.
import * as bitcoin from 'bitcoinjs-lib';
import * as ecc from '@bitcoinerlab/secp256k1';

bitcoin.initEccLib(ecc);

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));

// x-only keys are taproot (BIP340), the others ECDSA.
const validator = (pubkey, msghash, signature) =>
  pubkey.length === 32 ? ecc.verifySchnorr(msghash, pubkey, signature) : ecc.verify(msghash, pubkey, signature);

const results = request.cases.map((c) => {
  const errors = [];
  const check = (what, fn) => {
    try {
      const problem = fn();
      if (problem) errors.push(`${what}: ${problem}`);
    } catch (e) {
      errors.push(`${what}: ${e.message}`);
    }
  };
  check('signatures', () => {
    const psbt = bitcoin.Psbt.fromBase64(c.partialPsbt);
    for (let i = 0; i < psbt.inputCount; i++)
      if (!psbt.validateSignaturesOfInput(i, validator)) return `input ${i} does not verify`;
  });
  check('finalise', () => {
    const psbt = bitcoin.Psbt.fromBase64(c.partialPsbt);
    psbt.finalizeAllInputs();
    const tx = psbt.extractTransaction(true);
    if (tx.toHex() !== c.txHex) return `bitcoinjs finalises to ${tx.toHex()}`;
    if (tx.getId() !== c.txid) return `txid ${tx.getId()} vs ${c.txid}`;
    if (String(psbt.getFee()) !== c.fee) return `bitcoinjs computes fee ${psbt.getFee()}, Custody ${c.fee}`;
  });
  check('extract', () => {
    const tx = bitcoin.Psbt.fromBase64(c.finalPsbt).extractTransaction(true);
    if (tx.toHex() !== c.txHex) return `bitcoinjs extracts ${tx.toHex()} from Custody's final PSBT`;
  });
  return { name: c.name, errors };
});
process.stdout.write(JSON.stringify({ results }));
