using System.Globalization;
using System.Text;

namespace Custody.Core.Ceremony;

/// <summary>
/// What a sealed wallet seed is bound to: the AES-GCM associated data names the wallet and
/// the KEK version, so a blob copied onto another wallet row, or presented as sealed under
/// another KEK, fails to open. The ceremony (which seals), the KEK rotation (which reseals)
/// and the daemon (which unseals) must all use exactly these bytes; a test pins them.
/// </summary>
public static class SeedBinding
{
    public static byte[] AssociatedData(string walletId, int kekVersion)
    {
        ArgumentException.ThrowIfNullOrEmpty(walletId);
        return Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"custody.v1/seed|wallet={walletId}|kek={kekVersion}"));
    }
}
