using Custody.Cli.SelfCheck;
using System.Collections.Concurrent;
using Custody.Core.Chains;

namespace Custody.Hsm.Tests;

[Collection(HsmCollection.Name)]
public class ConcurrencyTests(SoftHsmFixture fixture)
{
    [Fact]
    public void Sixteen_threads_sign_and_unseal_concurrently_through_a_bounded_pool()
    {
        const int threads = 16, operations = 200;
        var hsm = fixture.Hsm;
        var secp = hsm.Keys.Generate(KeyCurve.Secp256k1);
        var ed = hsm.Keys.Generate(KeyCurve.Ed25519);
        hsm.Keks.Ensure(1);
        var sealer = hsm.CreateSealer(1);
        var secret = new byte[64];
        new Random(64).NextBytes(secret);
        var blob = sealer.Seal(secret, "concurrency"u8);
        var failures = new ConcurrentQueue<string>();

        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var random = new Random(t);
            for (var i = 0; i < operations; i++)
            {
                try
                {
                    var message = new byte[32];
                    random.NextBytes(message);
                    switch (i % 3)
                    {
                        case 0:
                            var ecdsa = hsm.Keys.SignDigest(secp.Id, message);
                            if (!IndependentVerifier.VerifySecp256k1(secp.PublicKey, message, ecdsa) || !IndependentVerifier.IsLowS(ecdsa))
                                failures.Enqueue($"thread {t} op {i}: bad secp256k1 signature");
                            break;
                        case 1:
                            var eddsa = hsm.Keys.SignMessage(ed.Id, message);
                            if (!IndependentVerifier.VerifyEd25519(ed.PublicKey, message, eddsa))
                                failures.Enqueue($"thread {t} op {i}: bad Ed25519 signature");
                            break;
                        default:
                            using (var opened = sealer.Unseal(blob, "concurrency"u8))
                            {
                                if (!opened.Span.SequenceEqual(secret)) failures.Enqueue($"thread {t} op {i}: wrong plaintext");
                            }
                            break;
                    }
                }
                catch (Exception e)
                {
                    failures.Enqueue($"thread {t} op {i}: {e.GetType().Name}: {e.Message}");
                }
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        Assert.Empty(failures);
        Assert.InRange(hsm.Pool.PeakLeasedSessions, 2, 4); // MaxSessions of the fixture's connection
        Assert.InRange(hsm.Pool.LiveSessions, 1, 4); // idle sessions are kept, never more than the bound
    }
}
