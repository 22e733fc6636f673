using System.Globalization;
using Custody.Core.Chains;
using Custody.Core.Crypto;
using Custody.Core.Hd;

namespace Custody.Core.Ceremony;

/// <summary>One address written into a ceremony record: chain, derivation path, address text.</summary>
public sealed record RecordedAddress(string ChainId, string Path, string Address);

/// <summary>
/// What a ceremony leaves for the record — nothing secret: the wallet, the master key
/// fingerprint and the first address per chain, so that a restore can be compared
/// line by line with the original generation.
/// </summary>
public sealed record CeremonyRecord(
    string WalletName,
    uint MasterFingerprint,
    string Backup,
    IReadOnlyList<RecordedAddress> Addresses)
{
    /// <summary>
    /// The record of the wallet whose seed is <paramref name="seed"/>: the secp256k1 master
    /// fingerprint and address 0 of each chain's default scheme. Chains that share a path and an
    /// address (every EVM chain has Ethereum's) are listed once, under the first ("eth").
    /// </summary>
    public static CeremonyRecord FromSeed(string walletName, string backup, SecretBytes seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        using var secp = new HdKeyRing(seed, KeyCurve.Secp256k1);
        using var ed = new HdKeyRing(seed, KeyCurve.Ed25519);
        var addresses = new List<RecordedAddress>();
        foreach (var chain in ChainRegistry.All)
        {
            var path = DerivationScheme.Default(chain).AddressPath(0);
            var keys = chain.Curve == KeyCurve.Ed25519 ? ed : secp;
            var address = ChainAddresses.Derive(chain, keys.GetPublicKey(path));
            if (!addresses.Any(a => a.Path == path.ToString() && a.Address == address))
                addresses.Add(new RecordedAddress(chain.Id, path.ToString(), address));
        }
        return new CeremonyRecord(walletName, secp.MasterFingerprint!.Value, backup, addresses);
    }

    /// <summary>The fingerprint as BIP32 prints it: 8 hex digits, big-endian.</summary>
    public string FingerprintHex => MasterFingerprint.ToString("x8", CultureInfo.InvariantCulture);

    /// <summary>The record as plain lines, the same for generate and restore so they can be diffed.</summary>
    public IEnumerable<string> Lines()
    {
        yield return $"wallet: {WalletName}";
        yield return $"fingerprint: {FingerprintHex}";
        yield return $"backup: {Backup}";
        foreach (var a in Addresses)
            yield return $"address {a.ChainId} {a.Path} {a.Address}";
    }

    public bool Equals(CeremonyRecord? other) =>
        other is not null && WalletName == other.WalletName && MasterFingerprint == other.MasterFingerprint
        && Backup == other.Backup && Addresses.SequenceEqual(other.Addresses);

    public override int GetHashCode() => HashCode.Combine(WalletName, MasterFingerprint, Backup, Addresses.Count);
}
