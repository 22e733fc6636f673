namespace Custody.Core.Chains.Bitcoin;

/// <summary>The single-key address kinds Custody derives (BIP44 / 49 / 84 / 86).</summary>
public enum BitcoinAddressKind
{
    /// <summary>Pay to public key hash, Base58Check (BIP44).</summary>
    P2pkh,

    /// <summary>P2WPKH nested in P2SH, Base58Check (BIP49).</summary>
    P2shP2wpkh,

    /// <summary>Native segwit v0 key hash, Bech32 (BIP84).</summary>
    P2wpkh,

    /// <summary>Taproot key path with the BIP86 tweak, Bech32m.</summary>
    P2tr,
}

/// <summary>The names operators type and read for the kinds ("p2pkh", "p2sh-p2wpkh", "p2wpkh", "p2tr").</summary>
public static class BitcoinAddressKindNames
{
    private static readonly (string Name, BitcoinAddressKind Kind)[] All =
    [
        ("p2pkh", BitcoinAddressKind.P2pkh),
        ("p2sh-p2wpkh", BitcoinAddressKind.P2shP2wpkh),
        ("p2wpkh", BitcoinAddressKind.P2wpkh),
        ("p2tr", BitcoinAddressKind.P2tr),
    ];

    public static IReadOnlyList<string> Names { get; } = [.. All.Select(k => k.Name)];

    public static string Name(BitcoinAddressKind kind) => All.First(k => k.Kind == kind).Name;

    /// <summary>The kind named <paramref name="text"/> (any case); an unknown name is INVALID_ARGUMENT on "kind", listing the names.</summary>
    public static BitcoinAddressKind Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var (name, kind) in All)
            if (string.Equals(name, text.Trim(), StringComparison.OrdinalIgnoreCase)) return kind;
        throw new InvalidInputException("kind", $"'{(text.Length > 20 ? text[..20] + "…" : text)}' is not one of {string.Join(", ", Names)}");
    }
}
