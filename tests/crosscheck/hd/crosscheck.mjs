// Independent answers for Custody's HD cross-check: reads a JSON request on stdin and
// prints the @scure/bip39 + @scure/bip32 (and the JS engine's NFKD) results as JSON.
import { HDKey } from '@scure/bip32';
import { entropyToMnemonic, mnemonicToSeedSync, validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const response = {
  unicode: process.versions.unicode,
  wallets: request.wallets.map(({ entropy, passphrase, paths }) => {
    const mnemonic = entropyToMnemonic(Buffer.from(entropy, 'hex'), wordlist);
    const seed = mnemonicToSeedSync(mnemonic, passphrase);
    const master = HDKey.fromMasterSeed(seed);
    return {
      mnemonic,
      seed: hex(seed),
      keys: paths.map((path) => {
        const key = master.derive(path);
        return { xprv: key.privateExtendedKey, xpub: key.publicExtendedKey };
      }),
    };
  }),
  validity: request.mnemonics.map((m) => validateMnemonic(m, wordlist)),
  nfkd: request.strings.map((s) => s.normalize('NFKD')),
};
process.stdout.write(JSON.stringify(response));
