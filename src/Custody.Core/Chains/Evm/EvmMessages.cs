using System.Globalization;
using System.Numerics;
using Custody.Core.Crypto;
using Custody.Core.Hd;

namespace Custody.Core.Chains.Evm;

/// <summary>
/// Off-chain messages signed with an EVM key: EIP-191 version 0x45 (personal_sign) and
/// EIP-712 typed data. Signatures are 65 bytes r ‖ s ‖ v with v = 27 + y-parity.
/// </summary>
public static class EvmMessages
{
    /// <summary>The EIP-191 0x45 prefix; TRON uses the same scheme with its own name.</summary>
    public const string EthereumPrefix = "\u0019Ethereum Signed Message:\n";

    /// <summary>keccak256(prefix ‖ decimal byte length ‖ message).</summary>
    public static byte[] PersonalMessageDigest(ReadOnlySpan<byte> message, string prefix = EthereumPrefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        byte[] header = System.Text.Encoding.UTF8.GetBytes(prefix + message.Length.ToString(CultureInfo.InvariantCulture));
        return Hashes.Keccak256([.. header, .. message]);
    }

    public static byte[] SignPersonalMessage(IKeyRing keys, KeyPath path, ReadOnlySpan<byte> message, string prefix = EthereumPrefix) =>
        SignDigest(keys, path, PersonalMessageDigest(message, prefix));

    /// <summary>
    /// Signs EIP-712 typed data. When the domain names a chain id it must be
    /// <paramref name="expectedChainId"/>: a signature meant for one chain is not given for another.
    /// </summary>
    public static byte[] SignTypedData(IKeyRing keys, KeyPath path, string typedDataJson, ulong expectedChainId)
    {
        var typedData = Eip712.Parse(typedDataJson);
        if (typedData.DomainChainId is { } chainId && chainId != new BigInteger(expectedChainId))
            throw new InvalidInputException("typedData.domain.chainId", $"typed data is for chain id {chainId}, not {expectedChainId}");
        return SignDigest(keys, path, typedData.Digest());
    }

    /// <summary>Signs a 32-byte digest: r ‖ s ‖ v (27/28), verified by recovery before it is returned.</summary>
    public static byte[] SignDigest(IKeyRing keys, KeyPath path, ReadOnlySpan<byte> digest32) =>
        RecoverableSigner.ToRsv(RecoverableSigner.Sign(keys, path, digest32, out _));

    /// <summary>The EIP-55 address that produced a 65-byte r ‖ s ‖ v signature (v 27/28 or 0/1) over a digest.</summary>
    public static string RecoverAddress(ReadOnlySpan<byte> digest32, ReadOnlySpan<byte> signature65)
    {
        if (signature65.Length != 65) throw new InvalidInputException("signature", "must be 65 bytes r ‖ s ‖ v");
        var v = signature65[64];
        var recoveryId = v >= 27 ? v - 27 : v;
        if (recoveryId is not (0 or 1)) throw new InvalidInputException("signature", "v must be 27 or 28 (or 0 or 1)");
        return EvmAddress.FromPublicKey(Secp256k1.Recover(digest32, signature65[..64], recoveryId, compressed: false));
    }
}
