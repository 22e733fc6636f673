using Custody.Core.Chains.Evm;
using Custody.Core.Hd;

namespace Custody.Core.Chains.Tron;

/// <summary>
/// TRON signed messages (TIP-191, TronWeb signMessageV2): EIP-191's personal-message scheme
/// with TRON's prefix, so the same mechanism signs both.
/// </summary>
public static class TronMessages
{
    public const string Prefix = "\u0019TRON Signed Message:\n";

    public static byte[] Digest(ReadOnlySpan<byte> message) => EvmMessages.PersonalMessageDigest(message, Prefix);

    /// <summary>65 bytes r ‖ s ‖ v with v = 27 + y-parity.</summary>
    public static byte[] Sign(IKeyRing keys, KeyPath path, ReadOnlySpan<byte> message) =>
        EvmMessages.SignPersonalMessage(keys, path, message, Prefix);
}
