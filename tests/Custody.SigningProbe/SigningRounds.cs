using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Custody.Core.Hd;

namespace Custody.SigningProbe;

/// <summary>What the probe signs with, round by round; the test derives the same keys to look for them.</summary>
public static class SigningRounds
{
    public const int ImportedSeedLength = 64;

    /// <summary>The one account xpub the probe derives per wallet (the address path's unseal).</summary>
    public static KeyPath AccountXpubPath { get; } = KeyPath.Parse("m/84'/0'/0'");

    public static byte[] Digest { get; } = SHA256.HashData("custody signing probe"u8);

    public static KeyPath EvmPath(int round) => KeyPath.Parse(Invariant($"m/44'/60'/0'/0/{round}"));

    public static KeyPath TaprootPath(int round) => KeyPath.Parse(Invariant($"m/86'/0'/0'/0/{round}"));

    public static KeyPath SolanaPath(int round) => KeyPath.Parse(Invariant($"m/44'/501'/{round}'/0'"));

    /// <summary>The imported wallet's seed: SHA-512 of a label the test picks per run (a test seed, not a secret).</summary>
    public static void ImportedSeed(string label, Span<byte> seed) => SHA512.HashData(Encoding.UTF8.GetBytes(label), seed);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
