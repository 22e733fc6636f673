namespace Custody.Core.Policy;

/// <summary>The global default (WalletId null) or one wallet: what a policy version or a freeze applies to.</summary>
public sealed record PolicyScope
{
    private const string WalletPrefix = "wallet:";

    private PolicyScope(string? walletId) => WalletId = walletId;

    public static PolicyScope Global { get; } = new((string?)null);

    public string? WalletId { get; }

    public bool IsGlobal => WalletId is null;

    public static PolicyScope Wallet(string walletId)
    {
        if (string.IsNullOrWhiteSpace(walletId)) throw new InvalidInputException("wallet", "a wallet id is required");
        return new PolicyScope(walletId);
    }

    /// <summary>"global" or "wallet:&lt;id&gt;": the stored key.</summary>
    public override string ToString() => WalletId is null ? "global" : WalletPrefix + WalletId;

    public static PolicyScope Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text == "global") return Global;
        if (text.StartsWith(WalletPrefix, StringComparison.Ordinal)) return Wallet(text[WalletPrefix.Length..]);
        throw new InvalidInputException("scope", "must be \"global\" or \"wallet:<id>\"");
    }
}
