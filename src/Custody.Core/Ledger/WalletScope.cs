using Custody.Core;

namespace Custody.Core.Ledger;

/// <summary>The wallets a token may use: every wallet ("*"), or a fixed list of wallet ids.</summary>
public sealed class WalletScope
{
    private readonly HashSet<string> _walletIds;

    private WalletScope(bool all, IEnumerable<string> walletIds)
    {
        IsAll = all;
        _walletIds = new HashSet<string>(walletIds, StringComparer.Ordinal);
    }

    public static WalletScope All { get; } = new(true, []);

    public bool IsAll { get; }

    public IReadOnlyCollection<string> WalletIds => _walletIds;

    public bool Allows(string walletId) => IsAll || _walletIds.Contains(walletId);

    public static WalletScope Of(IEnumerable<string> walletIds) => new(false, walletIds);

    /// <summary>"*" or comma-separated wallet ids.</summary>
    public static WalletScope Parse(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw new InvalidInputException("wallets", "empty scope: give \"*\" or wallet ids");
        if (parts.Contains("*"))
        {
            if (parts.Length > 1) throw new InvalidInputException("wallets", "\"*\" already means every wallet");
            return All;
        }
        foreach (var id in parts)
        {
            if (id.Length > 64 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
                throw new InvalidInputException("wallets", $"'{(id.Length > 16 ? id[..16] + "…" : id)}' is not a wallet id");
        }
        return Of(parts);
    }

    public override string ToString() => IsAll ? "*" : string.Join(',', _walletIds.Order(StringComparer.Ordinal));
}
