using System.Globalization;
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

    /// <summary>"eip712:no-chain-id": the typed data's domain names no chain, so its signature is valid on every chain.</summary>
    public const string NoChainIdNote = "eip712:no-chain-id";

    /// <summary>
    /// Decodes EIP-712 typed data to sign for the chain <paramref name="chainId"/>. A domain bound to
    /// another chain is refused: a signature meant for one chain is not given for another. A domain
    /// bound to none is noted (<see cref="NoChainIdNote"/>) for the policy to judge. Errors name their
    /// place under <paramref name="field"/>.
    /// </summary>
    public static DecodedMessage DecodeTypedData(string json, ulong chainId, string field = "typedData")
    {
        var typedData = Eip712.Parse(json, field);
        var digest = typedData.Digest();
        if (typedData.DomainChainId is not { } bound) return new DecodedMessage(digest, [NoChainIdNote]);
        if (bound != chainId) throw new InvalidInputException($"{field}.domain.chainId", $"typed data is for chain id {bound}, not {chainId}");
        return new DecodedMessage(digest, []);
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
