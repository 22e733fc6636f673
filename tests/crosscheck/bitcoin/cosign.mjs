// A cosigner independent of Custody: bitcoinjs-lib (with @bitcoinerlab/secp256k1) adds its own
// partial signatures to a multisig PSBT, then combines them with Custody's PSBT, finalises and
// extracts on its own. Reads {"psbt", "ours", "keys": [{"input", "privateKey"}]} on stdin.
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
  };
  psbt.signInput(k.input, signer);
}
const cosigned = psbt.toBase64();

const combined = bitcoin.Psbt.fromBase64(cosigned).combine(bitcoin.Psbt.fromBase64(request.ours));
combined.finalizeAllInputs();
const tx = combined.extractTransaction();
process.stdout.write(JSON.stringify({ cosigned, txHex: tx.toHex(), txid: tx.getId() }));
