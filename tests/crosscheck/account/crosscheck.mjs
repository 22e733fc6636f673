// Generates account-chain cases with independent implementations — ethers v6 for EVM
// transactions and EIP-712, @solana/web3.js v1 for Solana messages — and prints them as
// JSON. Custody's C# tests decode and sign the same inputs and must agree byte for byte.
// Usage: echo '{"seed": 20261124}' | node crosscheck.mjs   (the request comes on stdin)
import { Transaction, Wallet, Interface, TypedDataEncoder, getAddress, hexlify, toBeHex } from "ethers";
import {
  Keypair, PublicKey, SystemProgram, ComputeBudgetProgram, TransactionInstruction,
  Transaction as SolTransaction, TransactionMessage, VersionedTransaction, AddressLookupTableAccount,
} from "@solana/web3.js";

import { readFileSync } from "node:fs";

const request = JSON.parse(readFileSync(0, "utf8") || "{}");
let state = Number(request.seed ?? 20261124) >>> 0;
function next() { // mulberry32: a small seeded generator, so a failing case can be replayed
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n) => Math.floor(next() * n);
const bytes = (n) => Uint8Array.from({ length: n }, () => int(256));
const big = (maxBytes) => BigInt(hexlify(bytes(1 + int(maxBytes)))) ;
const pick = (xs) => xs[int(xs.length)];
const key32 = () => { for (;;) { const k = bytes(32); if (k.some((b) => b !== 0) && k[0] < 0xff) return hexlify(k); } };

const erc20 = new Interface([
  "function transfer(address to, uint256 amount)",
  "function approve(address spender, uint256 amount)",
  "function transferFrom(address from, address to, uint256 amount)",
]);

function evmCase() {
  const type = pick([0, 1, 2]);
  const chainId = pick([1n, 137n, 56n, 8453n, BigInt(1 + int(2 ** 31))]);
  const to = int(8) === 0 ? null : getAddress(hexlify(bytes(20)));
  let data = "0x", erc = null;
  const kind = to === null ? "create" : pick(["native", "transfer", "approve", "transferFrom", "other"]);
  if (kind === "create" || kind === "other") data = hexlify(bytes(int(80)));
  if (kind === "transfer" || kind === "approve") {
    erc = { method: kind, to: getAddress(hexlify(bytes(20))), amount: big(32).toString() };
    data = erc20.encodeFunctionData(kind, [erc.to, erc.amount]);
  }
  if (kind === "transferFrom") {
    erc = { method: kind, from: getAddress(hexlify(bytes(20))), to: getAddress(hexlify(bytes(20))), amount: big(32).toString() };
    data = erc20.encodeFunctionData(kind, [erc.from, erc.to, erc.amount]);
  }
  const fields = {
    type, chainId, nonce: int(2 ** 40), gasLimit: big(4), to, value: int(3) === 0 ? 0n : big(12), data,
  };
  let feeRate;
  if (type === 2) {
    fields.maxFeePerGas = big(8);
    fields.maxPriorityFeePerGas = fields.maxFeePerGas / BigInt(1 + int(5));
    feeRate = fields.maxFeePerGas;
  } else {
    fields.gasPrice = big(8);
    feeRate = fields.gasPrice;
  }
  if (type !== 0) {
    fields.accessList = Array.from({ length: int(3) }, () => ({
      address: getAddress(hexlify(bytes(20))),
      storageKeys: Array.from({ length: int(3) }, () => hexlify(bytes(32))),
    }));
  }
  const tx = Transaction.from(fields);
  const privateKey = key32();
  const unsigned = tx.unsignedSerialized;
  tx.signature = new Wallet(privateKey).signingKey.sign(tx.unsignedHash);
  return {
    chainId: chainId.toString(), privateKey, unsigned, signingHash: tx.unsignedHash, signed: tx.serialized, hash: tx.hash,
    from: tx.from, nonce: fields.nonce, to, value: fields.value.toString(), fee: (fields.gasLimit * feeRate).toString(), kind, erc20: erc,
  };
}

function eip712Case(i) {
  const wallet = new Wallet(key32());
  const domain = { name: "Custody cross-check " + i, version: String(1 + int(9)), chainId: 1 + int(1000), verifyingContract: getAddress(hexlify(bytes(20))) };
  if (int(2) === 0) domain.salt = hexlify(bytes(32));
  const types = {
    Person: [{ name: "name", type: "string" }, { name: "wallets", type: "address[]" }],
    Asset: [{ name: "id", type: "bytes32" }, { name: "owner", type: "Person" }],
    Order: [
      { name: "asset", type: "Asset" },
      { name: "maker", type: "Person" }, { name: "takers", type: "Person[2]" }, { name: "amount", type: "uint256" },
      { name: "delta", type: "int64" }, { name: "flag", type: "bool" }, { name: "tag", type: "bytes4" },
      { name: "payload", type: "bytes" }, { name: "matrix", type: "uint8[][]" },
    ],
  };
  const person = () => ({ name: "p" + int(1e6), wallets: Array.from({ length: int(3) }, () => getAddress(hexlify(bytes(20)))) });
  const message = {
    asset: { id: hexlify(bytes(32)), owner: person() }, maker: person(), takers: [person(), person()], amount: big(32).toString(), delta: (BigInt(int(2 ** 31)) - 2n ** 30n).toString(),
    flag: int(2) === 0, tag: hexlify(bytes(4)), payload: hexlify(bytes(int(40))),
    matrix: Array.from({ length: int(3) }, () => Array.from({ length: int(3) }, () => int(256))),
  };
  const payload = TypedDataEncoder.getPayload(domain, types, message);
  return {
    privateKey: wallet.privateKey, chainId: domain.chainId, json: JSON.stringify(payload),
    domainSeparator: TypedDataEncoder.hashDomain(domain), digest: TypedDataEncoder.hash(domain, types, message),
    signature: wallet.signingKey.sign(TypedDataEncoder.hash(domain, types, message)).serialized,
  };
}

const TOKEN = new PublicKey("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
const u64 = (v) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(v); return b; };

function solanaCase() {
  const payer = Keypair.fromSeed(bytes(32));
  const blockhash = new PublicKey(bytes(32)).toBase58();
  const instructions = [], outputs = [];
  let limit = null, price = null;
  if (int(2) === 0) { limit = 1 + int(1_400_000); instructions.push(ComputeBudgetProgram.setComputeUnitLimit({ units: limit })); }
  if (int(2) === 0) { price = big(4); instructions.push(ComputeBudgetProgram.setComputeUnitPrice({ microLamports: price })); }
  const lookupAddresses = [];
  for (let n = 1 + int(3); n > 0; n--) {
    if (int(2) === 0) {
      const to = new PublicKey(bytes(32)), lamports = big(7);
      instructions.push(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports }));
      outputs.push({ destination: to.toBase58(), asset: "native", amount: lamports.toString() });
      if (int(3) === 0) lookupAddresses.push(to);
    } else {
      const source = new PublicKey(bytes(32)), mint = new PublicKey(bytes(32)), dest = new PublicKey(bytes(32)), amount = big(7);
      instructions.push(new TransactionInstruction({
        programId: TOKEN,
        keys: [
          { pubkey: source, isSigner: false, isWritable: true }, { pubkey: mint, isSigner: false, isWritable: false },
          { pubkey: dest, isSigner: false, isWritable: true }, { pubkey: payer.publicKey, isSigner: true, isWritable: false },
        ],
        data: Buffer.concat([Buffer.from([12]), u64(amount), Buffer.from([int(10)])]),
      }));
      outputs.push({ destination: dest.toBase58(), asset: mint.toBase58(), amount: amount.toString() });
    }
  }
  const v0 = int(2) === 0;
  let message, wire, nonceAccount = null;
  if (v0) {
    const table = new AddressLookupTableAccount({
      key: new PublicKey(bytes(32)),
      state: { deactivationSlot: 2n ** 64n - 1n, lastExtendedSlot: 0, lastExtendedSlotStartIndex: 0, authority: undefined, addresses: lookupAddresses },
    });
    const compiled = new TransactionMessage({ payerKey: payer.publicKey, recentBlockhash: blockhash, instructions }).compileToV0Message(lookupAddresses.length ? [table] : []);
    const tx = new VersionedTransaction(compiled);
    tx.sign([payer]);
    message = Buffer.from(compiled.serialize());
    wire = Buffer.from(tx.serialize());
    for (const o of outputs) if (lookupAddresses.some((a) => a.toBase58() === o.destination)) o.destination = null;
  } else if (int(4) === 0) {
    // durable nonce: web3.js puts nonceAdvance first and uses the stored nonce as the blockhash
    nonceAccount = new PublicKey(bytes(32)).toBase58();
    const tx = new SolTransaction({
      feePayer: payer.publicKey,
      nonceInfo: { nonce: blockhash, nonceInstruction: SystemProgram.nonceAdvance({ noncePubkey: new PublicKey(nonceAccount), authorizedPubkey: payer.publicKey }) },
    }).add(...instructions);
    message = tx.serializeMessage();
    tx.sign(payer);
    wire = tx.serialize();
  } else {
    const tx = new SolTransaction({ feePayer: payer.publicKey, recentBlockhash: blockhash }).add(...instructions);
    message = tx.serializeMessage();
    tx.sign(payer);
    wire = tx.serialize();
  }
  const budgetless = instructions.length - (limit !== null) - (price !== null) + (nonceAccount !== null);
  const units = BigInt(limit ?? Math.min(200_000 * budgetless, 1_400_000));
  const fee = 5000n + ((price ?? 0n) * units + 999_999n) / 1_000_000n;
  return { seed: Buffer.from(payer.secretKey.slice(0, 32)).toString("hex"), payer: payer.publicKey.toBase58(), blockhash, v0,
    nonceAccount, message: message.toString("base64"), wire: wire.toString("base64"), outputs, fee: fee.toString() };
}

const cases = {
  evm: Array.from({ length: 120 }, evmCase),
  eip712: Array.from({ length: 10 }, (_, i) => eip712Case(i)),
  solana: Array.from({ length: 80 }, solanaCase),
};
process.stdout.write(JSON.stringify(cases, (_, v) => (typeof v === "bigint" ? v.toString() : v)));
