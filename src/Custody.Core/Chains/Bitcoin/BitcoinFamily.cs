using System.Globalization;
using Custody.Core.Hd;
using Custody.Core.Hd.Bip32;

namespace Custody.Core.Chains.Bitcoin;

/// <summary>
/// The Bitcoin family (Bitcoin, Litecoin, Dogecoin and their test networks): PSBTs, the
/// single-key address kinds of BIP44/49/84/86, fee rates by virtual size, RBF replacements.
/// A network is a parameter (<see cref="BitcoinNetwork"/>), never a per-coin copy.
/// </summary>
/// <remarks>
/// Signer selection: a PSBT names its keys in its BIP32 derivations, so a request names no signer
/// (<see cref="SignerPath"/> is null) and <see cref="Psbt.KeyOwnership"/> decides which inputs are
/// the wallet's. Multisig lives there and in the finaliser's scripts (MultisigScript, the
/// Descriptors folder), not in this object.
/// </remarks>
public sealed class BitcoinFamily : ChainFamily<BitcoinNetwork>
{
    public static BitcoinFamily Instance { get; } = new();

    /// <summary>BIP44/49/84/86 purposes and the single-key address kind each one fixes, the preferred first.</summary>
    private static readonly (uint Purpose, BitcoinAddressKind Kind)[] Purposes =
    [
        (84, BitcoinAddressKind.P2wpkh),
        (86, BitcoinAddressKind.P2tr),
        (49, BitcoinAddressKind.P2shP2wpkh),
        (44, BitcoinAddressKind.P2pkh),
    ];

    private BitcoinFamily()
    {
        Presets =
        [
            new("btc", "Bitcoin", this, 0, KeyCurve.Secp256k1, BitcoinNetwork.Mainnet) { NativeUnit = new("BTC", 8) },
            new("btc-testnet", "Bitcoin testnet", this, 1, KeyCurve.Secp256k1, BitcoinNetwork.Testnet) { NativeUnit = new("tBTC", 8) },
            new("btc-regtest", "Bitcoin regtest", this, 1, KeyCurve.Secp256k1, BitcoinNetwork.Regtest) { NativeUnit = new("rBTC", 8) },
            new("ltc", "Litecoin", this, 2, KeyCurve.Secp256k1, BitcoinNetwork.Litecoin) { NativeUnit = new("LTC", 8) },
            new("ltc-testnet", "Litecoin testnet", this, 1, KeyCurve.Secp256k1, BitcoinNetwork.LitecoinTestnet) { NativeUnit = new("tLTC", 8) },
            new("doge", "Dogecoin", this, 3, KeyCurve.Secp256k1, BitcoinNetwork.Dogecoin) { NativeUnit = new("DOGE", 8) },
        ];
    }

    public override string Name => "Bitcoin";

    public override IReadOnlyList<Chain> Presets { get; }

    public override ITransactionCodec Codec(Chain chain) => new PsbtCodec(chain);

    /// <summary>BIP84 and BIP86 where segwit and taproot exist, BIP49, and BIP44 everywhere.</summary>
    public override IReadOnlyList<DerivationScheme> Schemes(Chain chain)
    {
        var network = NetworkOf(chain);
        return Purposes
            .Where(p => p.Kind == BitcoinAddressKind.P2pkh ||
                        (network.SupportsSegwit && (p.Kind != BitcoinAddressKind.P2tr || network.SupportsTaproot)))
            .Select(p => new DerivationScheme(p.Purpose, chain.CoinType, p.Kind, DerivationLayout.Bip44))
            .ToArray();
    }

    public override string Address(Chain chain, ReadOnlySpan<byte> publicKey, DerivationScheme scheme)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        return BitcoinAddress.FromPublicKey(scheme.AddressKind ?? throw new ArgumentException("a Bitcoin scheme fixes an address kind", nameof(scheme)),
            publicKey, NetworkOf(chain));
    }

    public override string NormalizeAddress(Chain chain, string text) => BitcoinAddress.Normalize(text, NetworkOf(chain));

    /// <summary>The address kind a path's purpose implies (44' → P2PKH, 49' → P2SH-P2WPKH, 84' → P2WPKH, 86' → P2TR), or null.</summary>
    public static BitcoinAddressKind? KindOf(KeyPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Depth == 0 || !KeyPath.IsHardenedIndex(path[0])) return null;
        var purpose = path[0] & ~KeyPath.HardenedBit;
        foreach (var (p, kind) in Purposes)
            if (p == purpose) return kind;
        return null;
    }

    public override BitcoinAddressKind? AddressKindOf(KeyPath path) =>
        KindOf(path) ?? throw new InvalidInputException("kind", $"path {path} does not start with purpose 44', 49', 84' or 86': pass --kind");

    public override KeyPath? SignerPath(Chain chain, uint account, uint index) =>
        account == 0 && index == 0
            ? null
            : throw new InvalidInputException("signer", "a PSBT names its keys in its BIP32 derivations: leave signer unset");

    public override string AccountKeyText(Chain chain, ExtendedPublicKey accountKey)
    {
        ArgumentNullException.ThrowIfNull(accountKey);
        return accountKey.ToBase58(NetworkOf(chain));
    }

    public override bool HasTokens => false;

    public override bool HasFeeRate => true;

    /// <summary>A segwit v0 signature commits to its own input's amount only (the segwit fee attack).</summary>
    public override bool HasUnprovenInputAmounts => true;

    /// <summary>RBF: the same non-change outputs; change and inputs may differ (the fee is what changes).</summary>
    public override bool AllowsReplacement(TransactionIntent previous, TransactionIntent next, out string reason)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        reason = "";
        if (Payments(previous).SequenceEqual(Payments(next))) return true;
        reason = "a replacement must pay exactly the same non-change outputs";
        return false;
    }

    private static IEnumerable<string> Payments(TransactionIntent intent) => intent.Outputs
        .Where(o => !o.IsChange)
        .Select(o => $"{o.Destination}|{o.Asset}|{o.Amount.ToString(CultureInfo.InvariantCulture)}")
        .Order(StringComparer.Ordinal);
}
