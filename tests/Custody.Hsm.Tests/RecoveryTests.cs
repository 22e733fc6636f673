using Custody.Cli.SelfCheck;
using System.Collections.Concurrent;
using System.Diagnostics;
using Custody.Core.Chains;

namespace Custody.Hsm.Tests;

[Collection(HsmCollection.Name)]
public class RecoveryTests(SoftHsmFixture fixture)
{
    private static readonly byte[] Digest = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void Sessions_closed_behind_the_pools_back_are_replaced_and_the_operation_retried()
    {
        var hsm = fixture.Hsm;
        var key = hsm.Keys.Generate(KeyCurve.Secp256k1);
        hsm.Keys.SignDigest(key.Id, Digest);
        var dropped = hsm.Pool.DroppedSessions;

        // C_CloseAllSessions invalidates every pooled session and, with the last one, the login.
        // (Only while no operation is in flight: SoftHSM frees a session another thread may be using.)
        hsm.Pool.CloseAllSessionsBehindThePoolsBack();

        var signature = hsm.Keys.SignDigest(key.Id, Digest); // CKR_SESSION_HANDLE_INVALID → fresh session, new login, retry
        Assert.True(IndependentVerifier.VerifySecp256k1(key.PublicKey, Digest, signature));
        Assert.True(hsm.Pool.DroppedSessions > dropped);
    }

    /// <summary>
    /// How the token goes away for real: SoftHSM keeps each token in a directory and checks it on
    /// access. Moving the directory away makes the token invalid inside the running module
    /// (objects vanish, C_GetTokenInfo says CKR_GENERAL_ERROR) and SoftHSM never revalidates it on
    /// its own, even after the directory is back, exactly like a network HSM client that lost its
    /// server. The pool notices (a cached handle goes stale, the search finds nothing, the token
    /// does not answer), reports unavailable, and re-initialises the module (C_Finalize +
    /// C_Initialize, rate-limited) until the token is found again by label. The main token's
    /// connection shares the module and must ride through those re-initialisations too.
    /// </summary>
    [Fact]
    public void A_token_that_goes_away_gives_unavailable_and_the_pool_recovers_when_it_is_back()
    {
        const string label = "custody-away";
        var directory = fixture.ProvisionToken(label);
        var away = fixture.OutsideTokenDirectory(label); // inside it, SoftHSM would find the token again
        using var hsm = HsmConnection.Open(fixture.Options(label));
        var key = hsm.Keys.Generate(KeyCurve.Secp256k1);
        hsm.Keks.Ensure(1);
        var sealer = hsm.CreateSealer(1);
        var blob = sealer.Seal([1, 2, 3], "away"u8);
        var mainKey = fixture.Hsm.Keys.Generate(KeyCurve.Ed25519);

        Directory.Move(directory, away);
        try
        {
            var clock = Stopwatch.StartNew();
            var e = Assert.Throws<HsmUnavailableException>(() => hsm.Keys.SignDigest(key.Id, Digest));
            Assert.Equal(HsmError.Unavailable, e.Error);
            Assert.Contains(label, e.Message, StringComparison.Ordinal);
            Assert.Throws<HsmUnavailableException>(() => sealer.Unseal(blob, "away"u8));
            Assert.Throws<HsmUnavailableException>(() => hsm.Random.GetBytes(8));
            Thread.Sleep(300); // past the recovery interval: a new re-initialisation still finds no token
            Assert.Throws<HsmUnavailableException>(() => hsm.Keys.List());
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"unavailability took {clock.Elapsed} to report");

            // The other token, on the same re-initialised module, keeps working.
            var signature = fixture.Hsm.Keys.SignMessage(mainKey.Id, Digest);
            Assert.True(IndependentVerifier.VerifyEd25519(mainKey.PublicKey, Digest, signature));
        }
        finally
        {
            Directory.Move(away, directory);
        }

        var back = Eventually.Succeeds(() => hsm.Keys.SignDigest(key.Id, Digest), TimeSpan.FromSeconds(10), e => e is HsmUnavailableException);
        Assert.True(IndependentVerifier.VerifySecp256k1(key.PublicKey, Digest, back)); // same key, found again by id
        using var opened = sealer.Unseal(blob, "away"u8);
        Assert.Equal([1, 2, 3], opened.Span.ToArray());
        Assert.True(hsm.Keys.Destroy(key.Id));
    }

    [Fact]
    public void Concurrent_signers_see_only_success_or_unavailable_while_the_token_comes_and_goes()
    {
        const string label = "custody-flaky";
        var directory = fixture.ProvisionToken(label);
        var away = fixture.OutsideTokenDirectory(label);
        using var hsm = HsmConnection.Open(fixture.Options(label) with { MaxSessions = 3 });
        var key = hsm.Keys.Generate(KeyCurve.Secp256k1);
        var unexpected = new ConcurrentQueue<string>();
        var succeeded = 0;
        var unavailable = 0;
        using var stop = new CancellationTokenSource();

        var signers = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var signature = hsm.Keys.SignDigest(key.Id, Digest);
                    if (!IndependentVerifier.VerifySecp256k1(key.PublicKey, Digest, signature)) unexpected.Enqueue("bad signature");
                    Interlocked.Increment(ref succeeded);
                }
                catch (HsmUnavailableException)
                {
                    Interlocked.Increment(ref unavailable);
                }
                catch (Exception e)
                {
                    unexpected.Enqueue($"{e.GetType().Name}: {e.Message}");
                }
            }
        })).ToList();
        signers.ForEach(s => s.Start());
        for (var round = 0; round < 3; round++)
        {
            Thread.Sleep(200);
            Directory.Move(directory, away);
            Thread.Sleep(400);
            Directory.Move(away, directory);
        }
        var beforeEnd = Volatile.Read(ref succeeded);
        Eventually.Succeeds(() => hsm.Keys.SignDigest(key.Id, Digest), TimeSpan.FromSeconds(10), e => e is HsmUnavailableException);
        Thread.Sleep(300);
        stop.Cancel();
        signers.ForEach(s => s.Join());

        Assert.Empty(unexpected);
        Assert.True(unavailable > 0, "the token never looked unavailable");
        Assert.True(succeeded > beforeEnd, "signing did not resume");
    }
}
