using Custody.Core.Crypto;

namespace Custody.Core.Chains.Bitcoin;

/// <summary>
/// Bitcoin-family addresses ↔ output scripts, for a given network. Parsing names
/// what is wrong: checksum, network, length, witness version.
/// </summary>
public static class BitcoinAddress
{
    public static string FromPublicKey(BitcoinAddressKind kind, ReadOnlySpan<byte> pub33, BitcoinNetwork network)
    {
        if (pub33.Length != 33 || !Secp256k1.IsValidPublicKey(pub33))
            throw new InvalidInputException("publicKey", "a compressed secp256k1 public key (33 bytes) is required");
        if (kind != BitcoinAddressKind.P2pkh && !network.SupportsSegwit)
            throw new InvalidInputException("kind", $"{network.Name} has no segwit, so no {kind} addresses");
        if (kind == BitcoinAddressKind.P2tr && !network.SupportsTaproot)
            throw new InvalidInputException("kind", $"{network.Name} has no taproot addresses");
        var script = kind switch
        {
            BitcoinAddressKind.P2pkh => BitcoinScript.P2pkh(Hashes.Hash160(pub33)),
            BitcoinAddressKind.P2shP2wpkh => BitcoinScript.P2sh(Hashes.Hash160(BitcoinScript.P2wpkh(Hashes.Hash160(pub33)))),
            BitcoinAddressKind.P2wpkh => BitcoinScript.P2wpkh(Hashes.Hash160(pub33)),
            BitcoinAddressKind.P2tr => BitcoinScript.P2tr(Secp256k1.TaprootOutputKey(pub33[1..], [])),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        return TryFromScriptPubKey(script, network, out var address)
            ? address
            : throw new InvalidOperationException("a standard script has an address");
    }

    public static bool TryFromScriptPubKey(ReadOnlySpan<byte> script, BitcoinNetwork network, out string address)
    {
        address = "";
        if (BitcoinScript.IsP2pkh(script))
            address = Base58.EncodeCheck([network.PubKeyHashVersion, .. script.Slice(3, 20)]);
        else if (BitcoinScript.IsP2sh(script))
            address = Base58.EncodeCheck([network.ScriptHashVersion, .. script.Slice(2, 20)]);
        else if (network.Bech32Hrp is { } hrp && BitcoinScript.TryGetWitnessProgram(script, out var version, out var program) &&
                 (version != 0 || program.Length is 20 or 32))
            address = Bech32.EncodeSegwitAddress(hrp, version, program);
        return address.Length > 0;
    }

    public static byte[] ToScriptPubKey(string address, BitcoinNetwork network)
    {
        ArgumentNullException.ThrowIfNull(address);
        address = address.Trim();
        if (address.Length is 0 or > 100) throw new InvalidInputException("address", "empty or longer than any address");
        if (network.Bech32Hrp is { } hrp && address.StartsWith(hrp + "1", StringComparison.OrdinalIgnoreCase))
        {
            var (version, program) = Bech32.DecodeSegwitAddress(hrp, address);
            return BitcoinScript.Witness(version, program);
        }
        if (TryBech32Prefix(address, out var otherHrp))
            throw new InvalidInputException("address", $"belongs to another network (prefix '{otherHrp}', {network.Name} uses {(network.Bech32Hrp is null ? "no segwit" : "'" + network.Bech32Hrp + "'")})");
        if (!Base58.TryDecode(address, out _))
            throw new InvalidInputException("address", $"not a {network.Name} address (neither Base58 nor {(network.Bech32Hrp is null ? "segwit" : "bech32 '" + network.Bech32Hrp + "1…'")})");
        byte[] payload;
        try
        {
            payload = Base58.DecodeCheck(address);
        }
        catch (InvalidInputException e)
        {
            throw new InvalidInputException("address", e.Reason);
        }
        if (payload.Length != 21) throw new InvalidInputException("address", $"payload is {payload.Length} bytes, expected 21");
        if (payload[0] == network.PubKeyHashVersion) return BitcoinScript.P2pkh(payload.AsSpan(1));
        if (payload[0] == network.ScriptHashVersion) return BitcoinScript.P2sh(payload.AsSpan(1));
        throw new InvalidInputException("address", $"version byte 0x{payload[0]:x2} does not belong to {network.Name}");
    }

    private static bool TryBech32Prefix(string address, out string hrp)
    {
        try
        {
            hrp = Bech32.Decode(address).Hrp;
            return true;
        }
        catch (InvalidInputException)
        {
            hrp = "";
            return false;
        }
    }

    /// <summary>Validates and returns the canonical text (lower-case for bech32).</summary>
    public static string Normalize(string address, BitcoinNetwork network) =>
        TryFromScriptPubKey(ToScriptPubKey(address, network), network, out var canonical)
            ? canonical
            : throw new InvalidInputException("address", "not a standard address");
}
