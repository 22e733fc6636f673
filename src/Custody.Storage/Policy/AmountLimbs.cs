using System.Numerics;

namespace Custody.Storage.Policy;

/// <summary>
/// A non-negative amount below 2^256 as eight 32-bit limbs, least significant first. SQLite's
/// SUM of a limb column stays exact (no 64-bit overflow) for fewer than 2^31 rows, and the
/// sums recombine into the exact BigInteger total — so a window is summed by the database
/// without reading its rows one by one.
/// </summary>
internal static class AmountLimbs
{
    public const int Count = 8;
    public static readonly BigInteger Limit = BigInteger.One << (32 * Count);

    public static long[] Split(BigInteger amount)
    {
        if (amount.Sign < 0 || amount >= Limit) throw new ArgumentOutOfRangeException(nameof(amount), "amounts are ledgered below 2^256");
        var bytes = new byte[4 * Count];
        amount.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
        var limbs = new long[Count];
        for (var i = 0; i < Count; i++) limbs[i] = BitConverter.ToUInt32(bytes, 4 * i);
        return limbs;
    }

    public static BigInteger Join(ReadOnlySpan<long> limbSums)
    {
        var total = BigInteger.Zero;
        for (var i = limbSums.Length - 1; i >= 0; i--) total = (total << 32) + limbSums[i];
        return total;
    }
}
