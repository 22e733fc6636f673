using System.Text.Json;
using Custody.Core.Chains.Bitcoin.Psbt;

namespace Custody.Cli.Tests.Tx;

/// <summary>custody-admin tx combine and tx finalize on BIP174's workflow (two signers of 2-of-2 P2SH and P2SH-P2WSH inputs).</summary>
public sealed class PsbtRolesCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("custody-psbt-roles-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string Vector(string name) => Path.Combine(AppContext.BaseDirectory, "Vectors", name);

    [Fact]
    public void Combines_the_signers_psbts_and_finalises_to_the_bips_transaction()
    {
        var combine = ChildProcess.Admin("tx", "combine", "--chain", "btc-testnet",
            "--file", Vector("bip174-workflow-signer1.psbt.b64"), "--file", Vector("bip174-workflow-signer2.psbt.b64"));
        Assert.Equal((0, ""), (combine.ExitCode, combine.Stderr));
        var combined = Path.Combine(_directory, "combined.psbt");
        File.WriteAllText(combined, combine.Stdout);
        Assert.Equal(4, PartiallySignedTransaction.ParseBase64(combine.Stdout).Inputs.Sum(i => i.PartialSignatures.Count));

        var finalize = ChildProcess.Admin("tx", "finalize", "--chain", "btc-testnet", "--file", combined, "--json");
        Assert.Equal((0, ""), (finalize.ExitCode, finalize.Stderr));
        using var json = JsonDocument.Parse(finalize.Stdout);
        Assert.Equal(File.ReadAllText(Vector("bip174-workflow-extracted.tx.hex")).Trim(), json.RootElement.GetProperty("transaction").GetString());
        Assert.Equal(64, json.RootElement.GetProperty("txid").GetString()!.Length);
    }

    [Fact]
    public void One_signers_psbt_is_refused_naming_what_is_missing_and_a_conflict_naming_the_field()
    {
        var finalize = ChildProcess.Admin("tx", "finalize", "--chain", "btc-testnet", "--file", Vector("bip174-workflow-signer1.psbt.b64"));
        Assert.NotEqual(0, finalize.ExitCode);
        Assert.Contains("input[0] needs 1 more signature", finalize.Stderr, StringComparison.Ordinal);

        // signer 2's PSBT with signer 1's first signature replaced by another value for the same key.
        var signer1 = PartiallySignedTransaction.ParseBase64(File.ReadAllText(Vector("bip174-workflow-signer1.psbt.b64")));
        var signature = signer1.Inputs[0].PartialSignatures[0];
        var forged = signature.Signature.ToArray();
        forged[8] ^= 1;
        var conflicting = signer1.WithInput(signer1.Inputs[0].WithPartialSignature(signature.PublicKey.Span, forged));
        var path = Path.Combine(_directory, "conflicting.psbt");
        File.WriteAllText(path, conflicting.ToBase64());
        var combine = ChildProcess.Admin("tx", "combine", "--chain", "btc-testnet", "--file", Vector("bip174-workflow-signer1.psbt.b64"), "--file", path);
        Assert.NotEqual(0, combine.ExitCode);
        Assert.Contains("psbt[1].input[0].partial_sig", combine.Stderr, StringComparison.Ordinal);
        Assert.Equal("", combine.Stdout);
    }
}
