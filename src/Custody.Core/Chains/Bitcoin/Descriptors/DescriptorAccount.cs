using System.Globalization;
using Custody.Core.Hd;
using Custody.Core.Hd.Bip32;

namespace Custody.Core.Chains.Bitcoin.Descriptors;

/// <summary>The script a multisig account composed from cosigner xpubs pays to.</summary>
public enum MultisigScriptType
{
    /// <summary>wsh(sortedmulti(k,…)): BIP48 script type 2'.</summary>
    P2wsh,

    /// <summary>sh(wsh(sortedmulti(k,…))): BIP48 script type 1'.</summary>
    P2shP2wsh,

    /// <summary>sh(sortedmulti(k,…)): not in BIP48; ours at script type 0'.</summary>
    P2sh,

    /// <summary>tr(NUMS, sortedmulti_a(k,…)): not in BIP48; ours at script type 3'.</summary>
    P2tr,
}

/// <summary>
/// A wallet's descriptor account: the rules that make a descriptor one of the wallet's accounts
/// (ranged, with a receive and a change branch, holding at least one key of the wallet whose xpub is
/// the one the wallet derives at the key's origin), and the composition of a sortedmulti descriptor
/// from cosigner xpubs with our key at its BIP48 path.
/// </summary>
public static class DescriptorAccount
{
    /// <summary>
    /// The taproot internal key of a script-path-only account: BIP341's "H" point, whose discrete
    /// logarithm nobody knows, so the key path cannot be spent and every spend goes through the leaf.
    /// </summary>
    public const string UnspendableInternalKey = "50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0";

    /// <summary>The largest descriptor an account takes (15 keys of ~130 characters fit many times).</summary>
    public const int MaxLength = 16_000;

    /// <summary>The network of a Bitcoin-family chain; other chains have no descriptor accounts (refused naming <paramref name="field"/>).</summary>
    public static BitcoinNetwork NetworkOf(Chain chain, string field)
    {
        ArgumentNullException.ThrowIfNull(chain);
        return chain.Family is BitcoinFamily
            ? BitcoinFamily.NetworkOf(chain)
            : throw new InvalidInputException(field, $"descriptor accounts are for the Bitcoin family, not {chain.Id}");
    }

    /// <summary>The PSBT codec of <paramref name="chain"/> that proves change against the account's descriptor.</summary>
    public static ITransactionCodec Codec(Chain chain, OutputDescriptor descriptor)
    {
        NetworkOf(chain, "account");
        return new PsbtCodec(chain, descriptor);
    }

    /// <summary>
    /// Our cosigner key's path: m/48'/coin'/account'/script' — BIP48's 2' (P2WSH) and 1' (P2SH-P2WSH);
    /// BIP48 defines no number for legacy P2SH or taproot, so these take 0' and 3'.
    /// </summary>
    public static KeyPath Bip48Path(Chain chain, uint account, MultisigScriptType type)
    {
        ArgumentNullException.ThrowIfNull(chain);
        if (account >= KeyPath.HardenedBit) throw new InvalidInputException("account", "must be below 2^31");
        uint script = type switch
        {
            MultisigScriptType.P2wsh => 2,
            MultisigScriptType.P2shP2wsh => 1,
            MultisigScriptType.P2sh => 0,
            MultisigScriptType.P2tr => 3,
            _ => throw new InvalidInputException("script_type", "wsh, sh-wsh, sh or tr"),
        };
        return KeyPath.Root.Hardened(48).Hardened(chain.CoinType).Hardened(account).Hardened(script);
    }

    /// <summary>
    /// The descriptor text (without checksum) of a k-of-n sortedmulti account: our key and the other
    /// cosigners' (field cosigners[i]), each [fingerprint/path]xpub with no steps after the xpub
    /// (/&lt;0;1&gt;/* is added to each).
    /// </summary>
    public static string Compose(MultisigScriptType type, int threshold, string ourKey, IReadOnlyList<string> cosigners)
    {
        ArgumentNullException.ThrowIfNull(cosigners);
        if (cosigners.Count == 0) throw new InvalidInputException("cosigners", "a multisig account needs another cosigner's key besides ours");
        if (threshold < 1 || threshold > cosigners.Count + 1)
            throw new InvalidInputException("threshold", $"1 to the number of keys, ours included ({cosigners.Count + 1})");
        var keys = new List<string>(cosigners.Count + 1) { ourKey + "/<0;1>/*" };
        for (var i = 0; i < cosigners.Count; i++)
        {
            var field = $"cosigners[{i.ToString(CultureInfo.InvariantCulture)}]";
            var text = cosigners[i]?.Trim() ?? "";
            DescriptorKey key;
            try
            {
                key = DescriptorKeyParser.Parse(text, xOnlyAllowed: false, allowPrivateKeys: false);
            }
            catch (InvalidInputException e)
            {
                throw new InvalidInputException(field, e.Reason);
            }
            if (key.Extended is null || key.Origin is null || key.Path.Count != 0 || key.IsRanged)
                throw new InvalidInputException(field, "give an extended public key with its origin and nothing after it: [fingerprint/48h/…]xpub");
            keys.Add(text + "/<0;1>/*");
        }
        var list = string.Join(',', keys);
        var k = threshold.ToString(CultureInfo.InvariantCulture);
        return type switch
        {
            MultisigScriptType.P2wsh => $"wsh(sortedmulti({k},{list}))",
            MultisigScriptType.P2shP2wsh => $"sh(wsh(sortedmulti({k},{list})))",
            MultisigScriptType.P2sh => $"sh(sortedmulti({k},{list}))",
            MultisigScriptType.P2tr => $"tr({UnspendableInternalKey},sortedmulti_a({k},{list}))",
            _ => throw new InvalidInputException("script_type", "wsh, sh-wsh, sh or tr"),
        };
    }

    /// <summary>
    /// Checks <paramref name="descriptor"/> is an account of the wallet with master fingerprint
    /// <paramref name="fingerprint"/>: a receive and a change branch (&lt;0;1&gt;/*), addresses on
    /// <paramref name="network"/>, and at least one key whose origin carries the fingerprint — every
    /// such key must be the one <paramref name="derive"/> gives at its origin path, so a descriptor
    /// naming our fingerprint with someone else's key is refused. Returns our keys.
    /// </summary>
    public static IReadOnlyList<DescriptorKey> Verify(OutputDescriptor descriptor, BitcoinNetwork network, uint fingerprint, Func<KeyPath, ExtendedPublicKey> derive)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(derive);
        if (descriptor.Branches != 2 || !descriptor.IsRanged)
            throw new InvalidInputException("descriptor", "an account has a receive and a change branch: end its keys in /<0;1>/*");
        descriptor.Address(network, 0, 0); // refuses a script the network has no address for
        var ours = new List<DescriptorKey>();
        var keys = descriptor.Root.Keys;
        for (var i = 0; i < keys.Count; i++)
        {
            var key = keys[i];
            if (key.Origin is not { } origin || origin.Fingerprint != fingerprint) continue;
            var position = $"key {(i + 1).ToString(CultureInfo.InvariantCulture)}";
            if (key.Extended is null)
                throw new InvalidInputException("descriptor", $"{position} names this wallet's fingerprint but is a plain public key; give our xpub with its origin");
            var expected = derive(origin.Path);
            if (!expected.PublicKey.SequenceEqual(key.Extended.PublicKey) || !expected.ChainCode.SequenceEqual(key.Extended.ChainCode))
                throw new InvalidInputException("descriptor",
                    $"{position} names this wallet's fingerprint {fingerprint:x8} at {origin.Path}, but its xpub is not the one this wallet derives there");
            ours.Add(key);
        }
        if (ours.Count == 0)
            throw new InvalidInputException("descriptor",
                $"holds no key of this wallet: none of its keys has an origin [{fingerprint:x8}/…] (the wallet's master fingerprint)");
        return ours;
    }
}
