using Custody.Core.Chains;

namespace Custody.Core.Ledger;

/// <summary>
/// A wallet as stored. HD wallets carry their seed only sealed under the HSM's KEK
/// (AES-GCM; associated data binds it to the wallet id and KEK version); HSM-native
/// wallets carry the id of a key that never leaves the HSM, and its public key.
/// </summary>
/// <param name="Curve">HSM-native: the key's curve. HD: null (the seed serves both curves).</param>
/// <param name="SealedSeed">HD: the sealed seed blob as the HSM vault produced it.</param>
/// <param name="KekVersion">HD: the KEK version that sealed it.</param>
/// <param name="HsmKeyId">HSM-native: the key's CKA_ID / label in the HSM.</param>
/// <param name="PublicKey">HSM-native: the public key (33-byte secp256k1 or 32-byte ed25519).</param>
/// <param name="MasterFingerprint">HD: BIP32 fingerprint of the secp256k1 master key.</param>
/// <param name="Backup">Whether a copy of the keys exists outside the installation (only a ceremony makes one).</param>
public sealed record WalletRecord(
    string WalletId,
    string Name,
    WalletKind Kind,
    KeyCurve? Curve,
    byte[]? SealedSeed,
    int? KekVersion,
    string? HsmKeyId,
    byte[]? PublicKey,
    uint? MasterFingerprint,
    DateTimeOffset CreatedAt,
    WalletBackup Backup)
{
    /// <summary>A fresh wallet id: "w_" and 24 hex digits (96 random bits).</summary>
    public static string NewId() => "w_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));

    /// <summary>A wallet name as stored: trimmed, 1 to 64 printable characters (the daemon and the ceremonies take the same).</summary>
    public static string CheckName(string? name)
    {
        var trimmed = (name ?? "").Trim();
        if (trimmed.Length is 0 or > 64 || trimmed.Any(char.IsControl))
            throw new InvalidInputException("name", "1 to 64 printable characters");
        return trimmed;
    }

    /// <summary>No key material here, but keep the blob out of logs anyway.</summary>
    public override string ToString() => $"Wallet({WalletId}, {Kind}, backup {WalletBackups.Text(Backup)})";
}
