namespace Custody.Core.Ledger;

/// <summary>
/// A wallet's named Bitcoin-family account defined by an output descriptor (a multisig account
/// whose cosigner keys include at least one of the wallet's own). Public keys only: the descriptor
/// is stored as text with its checksum.
/// </summary>
/// <param name="Name">Unique within the wallet: what SignTransaction's account field names.</param>
/// <param name="Chain">The chain id the account lives on (its xpubs are written in that network's version).</param>
public sealed record AccountRecord(string WalletId, string Name, string Chain, string Descriptor, DateTimeOffset CreatedAt)
{
    /// <summary>An account name as stored: 1 to 64 characters of [A-Za-z0-9._-] (it appears in URLs and audit records).</summary>
    public static string CheckName(string? name)
    {
        var text = name ?? "";
        if (text.Length is 0 or > 64 || !text.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            throw new InvalidInputException("name", "1 to 64 characters of [A-Za-z0-9._-]");
        return text;
    }
}
