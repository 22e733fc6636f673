using System.CommandLine;
using Custody.Core.Ceremony;
using Custody.Core.Chains;
using Custody.Core.Crypto;
using Custody.Core.Hd;
using Custody.Core.Ledger;

namespace Custody.Cli.Ceremony;

/// <summary>
/// custody-admin ceremony record: the record of a stored wallet, computed again from its
/// sealed seed — which proves the seed still unseals under its KEK (after a rotation, say),
/// still derives the addresses the ceremony printed, and still signs (one ECDSA and one
/// Ed25519 signature, each verified). Prints the same lines as generate and restore, so
/// the outputs can be compared with diff.
/// </summary>
internal static class RecordCommand
{
    private static readonly byte[] Probe = Hashes.Sha256("custody ceremony record: signing probe"u8);

    public static Command Create()
    {
        var dataDir = CeremonyCommand.DataDir();
        var module = CeremonyCommand.Module();
        var name = new Option<string>("--name") { Description = "Name of the wallet", Required = true };
        var command = new Command("record", "Recompute a stored wallet's ceremony record from its sealed seed (and check that it signs)");
        foreach (var option in new Option[] { dataDir, module, name })
            command.Options.Add(option);
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var installation = Installation.Open(parse.GetValue(dataDir)!, parse.GetValue(module)!);
            var wallet = await installation.FindByNameAsync(parse.GetValue(name)!.Trim(), cancellationToken).ConfigureAwait(false);
            if (wallet.Kind != WalletKind.Hd)
                throw new CliException($"wallet '{wallet.Name}' holds an HSM-native key, not a seed from a ceremony");
            var sealer = installation.Hsm.CreateSealer(wallet.KekVersion!.Value);
            using var seed = sealer.Unseal(wallet.SealedSeed, SeedBinding.AssociatedData(wallet.WalletId, wallet.KekVersion.Value));
            var record = CeremonyRecord.FromSeed(wallet.Name, "stored seed", seed);
            if (record.MasterFingerprint != wallet.MasterFingerprint)
                throw new CliException($"wallet '{wallet.Name}': the sealed seed has fingerprint {record.FingerprintHex}, the database says {wallet.MasterFingerprint:x8}");
            SignProbe(seed, KeyCurve.Secp256k1, record);
            SignProbe(seed, KeyCurve.Ed25519, record);
            CeremonyWallet.Print(wallet, record);
            return CliRunner.Ok;
        });
        return command;
    }

    /// <summary>Signs with the first recorded key of the curve; HdKeyRing verifies every signature before returning it.</summary>
    private static void SignProbe(SecretBytes seed, KeyCurve curve, CeremonyRecord record)
    {
        var address = record.Addresses.First(a => ChainRegistry.Get(a.ChainId).Curve == curve);
        var path = KeyPath.Parse(address.Path);
        using var ring = new HdKeyRing(seed, curve);
        if (curve == KeyCurve.Secp256k1) ring.SignEcdsa(path, Probe);
        else ring.SignEd25519(path, Probe);
        Console.Error.WriteLine($"signed and verified with {address.ChainId} {path}");
    }
}
