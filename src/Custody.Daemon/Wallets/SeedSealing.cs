using System.Globalization;
using System.Text;

namespace Custody.Daemon.Wallets;

/// <summary>
/// What a sealed seed is bound to: AES-GCM's associated data names the wallet and the KEK
/// version, so a blob copied onto another wallet row, or presented under another KEK, fails
/// to open instead of signing for the wrong wallet.
/// </summary>
public static class SeedSealing
{
    /// <summary>A fresh HD seed: 32 bytes from the HSM, a BIP32 seed and a SLIP-39 master secret alike.</summary>
    public const int SeedLength = 32;

    public static byte[] AssociatedData(string walletId, int kekVersion) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"custody.v1/seed|wallet={walletId}|kek={kekVersion}"));
}
