using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Custody.Core.Crypto;
using Custody.Core.Hd;
using Custody.Core.Hd.Bip32;
using Custody.Core.Hd.Slip10;
using Custody.SigningProbe;

namespace Custody.Daemon.Tests.Memory;

/// <summary>
/// SECURITY.md's promise about process memory, checked on a real process: the signing probe runs
/// custodyd's HD signing path on a real SoftHSM installation (seal, unseal, key ring cache, BIP32 and
/// SLIP-10 derivation, ECDSA, taproot, Ed25519), forces a full compacting collection, and this test
/// reads all of its memory. Seeds, and private keys that are not held by a cached key ring, must be
/// nowhere; a cached ring's master and inner nodes exactly once each: the ring signs with them, so
/// that one copy is the ring's own buffer (and shows the scan finds what is there). Once the ring
/// has been idle past the cache's time, nothing may be left.
/// </summary>
public sealed class SecretsInMemoryTests
{
    private const int Rounds = 8;

    /// <summary>What a secret is to the key ring cache, which decides how many copies may exist while it is cached.</summary>
    private enum Held
    {
        Never, // seeds, leaves, the nodes of an account xpub derivation
        WhileCached, // a ring's master and the inner nodes it derived
    }

    private sealed record Secret(string Name, byte[] Bytes, Held Held);

    [ChildMemoryTheory]
    [InlineData(0)]
    [InlineData(60)]
    public void No_seed_or_private_key_outlives_its_use(double cacheSeconds)
    {
        using var dir = new TempDataDirectory();
        ChildProcess.AdminSucceeds("init", "--data-dir", dir.Path);
        var label = "probe-" + Guid.NewGuid().ToString("N");
        var generatedSeedFile = System.IO.Path.Combine(dir.Path, "generated.seed");

        using var probe = Probe.Start(dir.Path, cacheSeconds, label, generatedSeedFile);
        probe.WaitFor("signed");
        var importedSeed = new byte[SigningRounds.ImportedSeedLength];
        SigningRounds.ImportedSeed(label, importedSeed);
        var secrets = SecretsOf("imported", importedSeed).Concat(SecretsOf("generated", File.ReadAllBytes(generatedSeedFile))).ToList();

        var signed = Count(probe, secrets);
        probe.Continue("idle");
        var idle = Count(probe, secrets);
        probe.Finish();

        var cached = cacheSeconds > 0;
        var wrong = secrets.Select((secret, i) =>
                (secret, phase: "signed", expected: cached && secret.Held == Held.WhileCached ? 1 : 0, found: signed.Copies[i]))
            .Concat(secrets.Select((secret, i) => (secret, phase: "idle", expected: 0, found: idle.Copies[i])))
            .Where(c => c.found.Count != c.expected)
            .Select(c => $"{c.phase}: {c.secret.Name}: {c.found.Count} copies, expected {c.expected}{string.Concat(c.found.Select(f => $"\n    at {f.Start:x} in {f.Mapping}"))}")
            .ToList();
        Assert.True(wrong.Count == 0,
            $"{wrong.Count} secrets with another number of copies than allowed ({signed.Summary}; {idle.Summary}):\n  {string.Join("\n  ", wrong)}");
    }

    /// <summary>The copies of each secret in the probe's memory, in the order of <paramref name="secrets"/>.</summary>
    private static (List<ProcessMemory.Copy>[] Copies, string Summary) Count(Probe probe, List<Secret> secrets)
    {
        var scan = ProcessMemory.Find(probe.Pid, [.. secrets.Select(s => s.Bytes)]);
        // The JIT's double-mapped code heap reserves more than its memfd holds; nothing else may hide from the scan.
        var unread = scan.Unreadable.Where(u => !u.Name.StartsWith("/memfd:doublemapper", StringComparison.Ordinal)).ToList();
        Assert.True(unread.Count == 0, "parts of the probe's memory could not be read:\n" + string.Join("\n", unread));
        Assert.True(scan.BytesRead > 10 << 20, $"only {scan.BytesRead} bytes read: the scan did not see the process");
        var copies = secrets.Select((_, i) => scan.Copies.Where(c => c.Secret == i).ToList()).ToArray();
        return (copies, $"{scan.BytesRead >> 20} MiB read, {scan.Copies.Count} copies");
    }

    /// <summary>A seed and every private key the probe derives from it, with how long each may live.</summary>
    private static IEnumerable<Secret> SecretsOf(string wallet, byte[] seed)
    {
        yield return new Secret($"{wallet} seed", seed, Held.Never);
        var evm = Enumerable.Range(0, Rounds).Select(SigningRounds.EvmPath).ToList();
        var taproot = Enumerable.Range(0, Rounds).Select(SigningRounds.TaprootPath).ToList();
        var solana = Enumerable.Range(0, Rounds).Select(SigningRounds.SolanaPath).ToList();

        using var secp = ExtendedPrivateKey.FromSeed(seed);
        byte[] SecpKey(KeyPath path)
        {
            using var node = secp.Derive(path);
            return node.PrivateKey.ToArray();
        }
        foreach (var secret in Nodes($"{wallet} secp256k1", [.. evm, .. taproot], SigningRounds.AccountXpubPath, SecpKey))
            yield return secret;
        foreach (var path in taproot)
        {
            var tweaked = new byte[32];
            Secp256k1.TaprootTweakPrivateKey(SecpKey(path), [], tweaked);
            yield return new Secret($"{wallet} secp256k1 {path} taproot-tweaked key", tweaked, Held.Never);
        }

        using var ed = Ed25519ExtendedKey.FromSeed(seed);
        byte[] EdKey(KeyPath path)
        {
            using var node = ed.Derive(path);
            return node.PrivateKey.ToArray();
        }
        foreach (var secret in Nodes($"{wallet} ed25519", solana, null, EdKey))
            yield return secret;
        // RFC 8032 signs with SHA-512 of the key: the scalar (first half, clamped) and the nonce prefix.
        foreach (var path in solana)
            yield return new Secret($"{wallet} ed25519 {path} expanded key", SHA512.HashData(EdKey(path)), Held.Never);
    }

    // A ring keeps its master and the inner nodes of the paths it signed with; leaves and an account
    // xpub derivation's nodes live for one operation only.
    private static IEnumerable<Secret> Nodes(string prefix, List<KeyPath> signed, KeyPath? transient, Func<KeyPath, byte[]> privateKey)
    {
        var held = new Dictionary<string, (KeyPath Path, Held Held)> { ["m"] = (KeyPath.Root, Held.WhileCached) };
        foreach (var path in signed)
        {
            held[path.ToString()] = (path, Held.Never);
            for (var inner = path.Parent(); inner.Depth > 0; inner = inner.Parent()) held[inner.ToString()] = (inner, Held.WhileCached);
        }
        for (var node = transient; node is { Depth: > 0 }; node = node.Parent()) held.TryAdd(node.ToString(), (node, Held.Never));
        return held.Values.Select(h => new Secret($"{prefix} {h.Path} private key", privateKey(h.Path), h.Held));
    }

    /// <summary>The signing probe as a child process of this test, phase by phase.</summary>
    private sealed class Probe : IDisposable
    {
        private readonly Process _process;

        private Probe(Process process) => _process = process;

        public int Pid => _process.Id;

        public static Probe Start(string dataDir, double cacheSeconds, string label, string generatedSeedFile)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(System.IO.Path.Combine(AppContext.BaseDirectory, "Custody.SigningProbe.dll"));
            foreach (var arg in new[] { dataDir, cacheSeconds.ToString(CultureInfo.InvariantCulture), Rounds.ToString(CultureInfo.InvariantCulture), label, generatedSeedFile })
                start.ArgumentList.Add(arg);
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment.Remove("SOFTHSM2_CONF"); // the probe finds the installation's own configuration
            return new Probe(Process.Start(start)!);
        }

        /// <summary>Waits for the probe to announce <paramref name="phase"/>; it then holds still until told to go on.</summary>
        public void WaitFor(string phase)
        {
            var line = _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2)).GetAwaiter().GetResult();
            if (line == phase) return;
            _process.Kill();
            Assert.Fail($"the probe said '{line}' instead of '{phase}': {_process.StandardError.ReadToEnd()}");
        }

        public void Continue(string nextPhase)
        {
            _process.StandardInput.WriteLine();
            _process.StandardInput.Flush();
            WaitFor(nextPhase);
        }

        public void Finish()
        {
            _process.StandardInput.WriteLine();
            _process.StandardInput.Flush();
            Assert.True(_process.WaitForExit(TimeSpan.FromMinutes(1)), "the probe did not exit");
            Assert.True(_process.ExitCode == 0, $"the probe failed ({_process.ExitCode}): {_process.StandardError.ReadToEnd()}");
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill();
            _process.Dispose();
        }
    }

    private sealed class TempDataDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("custody-memory-tests-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}

/// <summary>A theory that is skipped, saying why, where this process may not read a child's memory.</summary>
public sealed class ChildMemoryTheoryAttribute : TheoryAttribute
{
    private static readonly Lazy<string?> s_whyNot = new(ProcessMemory.WhyChildMemoryIsUnreadable);

    public ChildMemoryTheoryAttribute()
    {
        if (s_whyNot.Value is { } reason) Skip = reason;
    }
}
