namespace Custody.Core.Ledger;

/// <summary>
/// Whether a copy of a wallet's keys exists outside the installation. Only a ceremony makes one
/// (custody-admin ceremony generate writes SLIP-39 shares or a BIP39 mnemonic; ceremony restore
/// enters a seed from one); a wallet created through the API has none, and its creator said so.
/// </summary>
public enum WalletBackup
{
    /// <summary>No copy outside the HSM and the ledger: lose either and the keys are gone. Created through the API, acknowledged.</summary>
    None,

    /// <summary>Custodians hold SLIP-39 shares or a BIP39 mnemonic from a ceremony (generate or restore).</summary>
    Ceremony,

    /// <summary>Created before the backup state was recorded: unknown.</summary>
    Unrecorded,
}

/// <summary>The one spelling of a backup state: the ledger's column, audit details, metrics labels.</summary>
public static class WalletBackups
{
    public static string Text(WalletBackup backup) => backup switch
    {
        WalletBackup.None => "none",
        WalletBackup.Ceremony => "ceremony",
        _ => "unrecorded",
    };

    public static WalletBackup Parse(string text) => text switch
    {
        "none" => WalletBackup.None,
        "ceremony" => WalletBackup.Ceremony,
        "unrecorded" => WalletBackup.Unrecorded,
        _ => throw new FormatException($"'{text}' is not a wallet backup state"),
    };
}

/// <summary>How many wallets of a kind have a backup state: what metrics show.</summary>
public sealed record WalletCount(WalletKind Kind, WalletBackup Backup, long Count);
