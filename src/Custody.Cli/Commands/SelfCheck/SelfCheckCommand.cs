using System.CommandLine;
using System.Security.Cryptography;
using Custody.Core.Chains;
using Custody.Hsm;
using Custody.Hsm.Embedded;

namespace Custody.Cli.SelfCheck;

/// <summary>
/// custody-admin selfcheck: proves the HSM path end to end — token, login, random, KEK sealing and
/// tamper rejection, HSM key pairs whose signatures an independent verifier accepts — one line per
/// check. With SoftHSM (the default) the token, its configuration and random PINs are created under
/// the data directory on first run and reused afterwards. Exit code 0 only when every check passed.
/// </summary>
internal static class SelfCheckCommand
{
    private static readonly byte[] AssociatedData = "custody-selfcheck"u8.ToArray();

    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "Data directory; the SoftHSM token lives under DIR/hsm", Required = true };
        var module = new Option<string>("--module")
        {
            Description = "PKCS#11 module; anything but SoftHSM must already hold the token, with the user PIN in DIR/hsm/user.pin",
            DefaultValueFactory = _ => HsmOptions.SoftHsmModulePath,
        };
        var label = new Option<string>("--token-label") { Description = "Token label", DefaultValueFactory = _ => EmbeddedSoftHsm.DefaultTokenLabel };

        var command = new Command("selfcheck", "Create or find the HSM token and check every HSM operation Custody relies on");
        command.Options.Add(dataDir);
        command.Options.Add(module);
        command.Options.Add(label);
        command.SetAction(parse => Run(parse.GetValue(dataDir)!, parse.GetValue(module)!, parse.GetValue(label)!, Console.Out));
        return command;
    }

    private static int Run(string dataDirectory, string modulePath, string tokenLabel, TextWriter output)
    {
        var report = new CheckReport(output);
        HsmOptions? options = null;
        if (IsSoftHsm(modulePath))
        {
            report.Check($"token '{tokenLabel}'", () =>
            {
                var embedded = EmbeddedSoftHsm.Prepare(dataDirectory, tokenLabel, modulePath);
                options = embedded.Options;
                return embedded.TokenCreated ? $"created in {embedded.Directory}" : "found";
            });
        }
        else
        {
            report.Check($"token '{tokenLabel}'", () =>
            {
                var pinFile = Path.Combine(Path.GetFullPath(dataDirectory), "hsm", "user.pin");
                options = new HsmOptions { ModulePath = modulePath, TokenLabel = tokenLabel, UserPin = PinSource.FromFile(pinFile) };
                return $"on {modulePath}, user PIN from {pinFile}";
            });
        }

        HsmConnection? hsm = null;
        if (options is not null)
            report.Check("login", () => $"on {(hsm = HsmConnection.Open(options)).ModulePath}");
        try
        {
            if (hsm is null)
            {
                report.Skip("random bytes", "kek v1", "kek v1 seal/unseal", "tampered blob rejected", "wrong associated data rejected",
                    "secp256k1 key sign/verify", "ed25519 key sign/verify", "test keys destroyed");
            }
            else
            {
                RunHsmChecks(hsm, report);
            }
        }
        finally
        {
            hsm?.Dispose();
        }
        return report.Summarise();
    }

    private static void RunHsmChecks(HsmConnection hsm, CheckReport report)
    {
        report.Check("random bytes", () =>
        {
            var a = hsm.Random.GetBytes(32);
            var b = hsm.Random.GetBytes(32);
            if (a.AsSpan().SequenceEqual(b) || !a.AsSpan().ContainsAnyExcept((byte)0)) throw new CliException("the HSM generator repeats itself");
            return null;
        });

        IBlobSealer? sealer = null;
        report.Check("kek v1", () =>
        {
            var created = hsm.Keks.Ensure(1);
            sealer = hsm.CreateSealer(1);
            return created ? "created" : "found";
        });

        byte[]? blob = null;
        report.Check("kek v1 seal/unseal", () =>
        {
            var plaintext = RandomNumberGenerator.GetBytes(64);
            blob = Require(sealer).Seal(plaintext, AssociatedData);
            using var opened = sealer!.Unseal(blob, AssociatedData);
            if (!opened.Span.SequenceEqual(plaintext)) throw new CliException("unsealed bytes differ from the sealed ones");
            CryptographicOperations.ZeroMemory(plaintext);
            return null;
        });

        report.Check("tampered blob rejected", () =>
        {
            var tampered = (byte[])Require(blob).Clone();
            tampered[^1] ^= 0x80;
            return ExpectRefusal(() => sealer!.Unseal(tampered, AssociatedData));
        });

        report.Check("wrong associated data rejected", () =>
            ExpectRefusal(() => Require(sealer).Unseal(Require(blob), "custody-selfcheck-other"u8)));

        var keys = new List<HsmKeyId>();
        report.Check("secp256k1 key sign/verify", () =>
        {
            var key = hsm.Keys.Generate(KeyCurve.Secp256k1);
            keys.Add(key.Id);
            var digest = SHA256.HashData("custody selfcheck"u8);
            var signature = hsm.Keys.SignDigest(key.Id, digest);
            if (!IndependentVerifier.VerifySecp256k1(key.PublicKey, digest, signature)) throw new CliException("BouncyCastle rejects the HSM's signature");
            if (!IndependentVerifier.IsLowS(signature)) throw new CliException("the signature has a high S");
            return $"(key {key.Id}, low-S)";
        });

        report.Check("ed25519 key sign/verify", () =>
        {
            var key = hsm.Keys.Generate(KeyCurve.Ed25519);
            keys.Add(key.Id);
            var message = "custody selfcheck"u8.ToArray();
            var signature = hsm.Keys.SignMessage(key.Id, message);
            if (!IndependentVerifier.VerifyEd25519(key.PublicKey, message, signature)) throw new CliException("BouncyCastle rejects the HSM's signature");
            return $"(key {key.Id})";
        });

        report.Check("test keys destroyed", () =>
        {
            foreach (var id in keys)
                if (!hsm.Keys.Destroy(id)) throw new CliException($"key {id} was not on the token any more");
            return null;
        });
    }

    private static string? ExpectRefusal(Func<IDisposable> unseal)
    {
        try
        {
            unseal().Dispose();
        }
        catch (HsmException e) when (e.Error == HsmError.BlobAuthenticationFailed)
        {
            return null;
        }
        throw new CliException("the blob was accepted");
    }

    private static T Require<T>(T? value) where T : class =>
        value ?? throw new CliException("skipped: an earlier check failed");

    private static bool IsSoftHsm(string modulePath) =>
        Path.GetFileName(modulePath).Contains("softhsm", StringComparison.OrdinalIgnoreCase);
}
