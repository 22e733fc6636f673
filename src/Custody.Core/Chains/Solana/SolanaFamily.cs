namespace Custody.Core.Chains.Solana;

/// <summary>
/// The Solana family: legacy and v0 messages, Base58 ed25519 addresses, SPL tokens by mint, one
/// address per hardened account (ed25519 has no normal derivation steps), instruction tags as
/// selectors. A durable nonce is a replay key, but nothing replaces a signed transaction.
/// </summary>
public sealed class SolanaFamily : ChainFamily<SolanaNetwork>
{
    public static SolanaFamily Instance { get; } = new();

    private SolanaFamily() => Presets = [new("sol", "Solana", this, 501, KeyCurve.Ed25519, SolanaNetwork.Mainnet) { NativeUnit = new("SOL", 9) }];

    public override string Name => "Solana";

    public override IReadOnlyList<Chain> Presets { get; }

    public override ITransactionCodec Codec(Chain chain) => new SolanaCodec(chain);

    public override IReadOnlyList<DerivationScheme> Schemes(Chain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        return [new DerivationScheme(44, chain.CoinType, null, DerivationLayout.AccountPerAddress)];
    }

    public override string Address(Chain chain, ReadOnlySpan<byte> publicKey, DerivationScheme scheme) =>
        publicKey.Length == 32
            ? SolanaAddress.ToText(publicKey)
            : throw new InvalidInputException("publicKey", $"a Solana address is a 32-byte ed25519 key, not {publicKey.Length} bytes");

    public override string NormalizeAddress(Chain chain, string text) => SolanaAddress.Normalize(text);

    public override bool HasTokens => true;
}
