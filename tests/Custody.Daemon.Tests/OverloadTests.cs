using Custody.Daemon.Limits;
using Custody.V1;
using Microsoft.Extensions.DependencyInjection;
using Grpc.Core;

namespace Custody.Daemon.Tests;

[Collection(DaemonCollection.Name)]
public class OverloadTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
{
    [Fact]
    public async Task A_principal_over_its_rate_gets_resource_exhausted_at_once_and_others_are_not_affected()
    {
        await daemon.RestartAsync("--Limits:RequestsPerSecond=0.5", "--Limits:Burst=3");
        try
        {
            var signer = DaemonFixture.Bearer(daemon.SignerToken);
            for (var i = 0; i < 3; i++) await daemon.System.PingAsync(new PingRequest(), signer);
            var info = await Errors.RefusedAsync(StatusCode.ResourceExhausted, "RATE_LIMITED", () => daemon.System.PingAsync(new PingRequest(), signer));
            Assert.Equal("signer-1", info.Metadata["principal"]);
            await daemon.System.PingAsync(new PingRequest(), DaemonFixture.Bearer(daemon.AuditorToken)); // its own bucket
        }
        finally
        {
            await daemon.RestartAsync();
        }
    }

    [Fact]
    public async Task Stopping_lets_in_flight_calls_finish_and_refuses_new_signatures()
    {
        var wallet = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "shutdown", Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, DaemonFixture.Bearer(daemon.AdminToken));
        var signer = DaemonFixture.Bearer(daemon.SignerToken);
        // Many signatures in flight, then a stop: every call either completes with a valid signature
        // or is refused cleanly (UNAVAILABLE while stopping); none is cut off half-signed.
        var calls = Enumerable.Range(0, 12).Select(i => daemon.Signing.SignTransactionAsync(new SignTransactionRequest
        {
            RequestId = "shutdown-" + i, WalletId = wallet.WalletId, Chain = "eth", Payload = EvmPayloads.Eip1559((ulong)(100 + i)),
        }, signer).ResponseAsync).ToList();
        var slots = daemon.App.Services.GetRequiredService<SigningSlots>();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (slots.InUse == 0 && DateTime.UtcNow < deadline) await Task.Delay(1); // stop while signatures are in flight
        var stop = daemon.App.StopAsync();
        var outcomes = await Task.WhenAll(calls.Select(async call =>
        {
            try
            {
                return (await call).SignedPayload;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.ResourceExhausted)
            {
                return null;
            }
        }));
        await stop;
        await daemon.RestartAsync();

        // What was signed before the stop is what a retry after the restart returns.
        for (var i = 0; i < outcomes.Length; i++)
        {
            if (outcomes[i] is not { } signed) continue;
            var again = await daemon.Signing.SignTransactionAsync(new SignTransactionRequest
            {
                RequestId = "shutdown-" + i, WalletId = wallet.WalletId, Chain = "eth", Payload = EvmPayloads.Eip1559((ulong)(100 + i)),
            }, signer);
            Assert.Equal(signed, again.SignedPayload);
        }
        Assert.Contains(outcomes, o => o is not null);
    }

    /// <summary>40 KB of EIP-712 typed data whose one member is uint256[][]…[] (about 20,000 dimensions).</summary>
    private static readonly string DeepArrayTypedData =
        "{\"types\":{\"EIP712Domain\":[{\"name\":\"chainId\",\"type\":\"uint256\"}],\"T\":[{\"name\":\"a\",\"type\":\"uint256" +
        string.Concat(Enumerable.Repeat("[]", 20_000)) + "\"}]},\"primaryType\":\"T\",\"domain\":{\"chainId\":1},\"message\":{\"a\":[]}}";

    // Decoding comes before the slot: input that is refused never occupies one, however long it takes to refuse.
    [Fact]
    public async Task Malformed_requests_are_refused_for_their_input_even_when_every_signing_slot_is_busy()
    {
        var wallet = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "slots-busy", Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, DaemonFixture.Bearer(daemon.AdminToken));
        var signer = DaemonFixture.Bearer(daemon.SignerToken);
        var slots = daemon.App.Services.GetRequiredService<SigningSlots>();
        var held = Enumerable.Range(0, slots.Capacity).Select(_ => slots.Enter()).ToList();
        try
        {
            await Errors.RefusedAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () => daemon.Signing.SignMessageAsync(new SignMessageRequest
            {
                RequestId = "busy-1", WalletId = wallet.WalletId, Chain = "eth", TypedDataJson = DeepArrayTypedData,
            }, signer));
            await Errors.RefusedAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () => daemon.Signing.SignTransactionAsync(new SignTransactionRequest
            {
                RequestId = "busy-2", WalletId = wallet.WalletId, Chain = "eth", Payload = "0x02c0",
            }, signer));
            // A well-formed request still needs a slot.
            await Errors.RefusedAsync(StatusCode.ResourceExhausted, "OVERLOADED", () => daemon.Signing.SignTransactionAsync(new SignTransactionRequest
            {
                RequestId = "busy-3", WalletId = wallet.WalletId, Chain = "eth", Payload = EvmPayloads.Eip1559(1),
            }, signer));
        }
        finally
        {
            held.ForEach(slot => slot.Dispose());
        }
    }

    // The attack of issue #15: a few costly malformed requests in parallel made legitimate signing fail with OVERLOADED.
    [Fact]
    public async Task Costly_malformed_typed_data_in_parallel_does_not_crowd_out_signatures()
    {
        await daemon.RestartAsync("--Limits:MaxConcurrentSignatures=2");
        try
        {
            var wallet = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "crowded", Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, DaemonFixture.Bearer(daemon.AdminToken));
            var signer = DaemonFixture.Bearer(daemon.SignerToken);
            using var stop = new CancellationTokenSource();
            var attackerStatuses = new System.Collections.Concurrent.ConcurrentDictionary<StatusCode, int>();
            var attackers = Enumerable.Range(0, 4).Select(a => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var refused = await Assert.ThrowsAsync<RpcException>(async () => await daemon.Signing.SignMessageAsync(new SignMessageRequest
                    {
                        RequestId = $"attack-{a}-{i}", WalletId = wallet.WalletId, Chain = "eth", TypedDataJson = DeepArrayTypedData,
                    }, signer));
                    attackerStatuses[refused.StatusCode] = a;
                }
            })).ToList();
            try
            {
                for (var nonce = 0UL; nonce < 8; nonce++)
                {
                    var signed = await daemon.Signing.SignTransactionAsync(new SignTransactionRequest
                    {
                        RequestId = $"crowded-{nonce}", WalletId = wallet.WalletId, Chain = "eth", Payload = EvmPayloads.Eip1559(nonce),
                    }, signer);
                    Assert.StartsWith("0x", signed.SignedPayload, StringComparison.Ordinal);
                }
            }
            finally
            {
                await stop.CancelAsync();
                await Task.WhenAll(attackers);
            }
            Assert.Equal([StatusCode.InvalidArgument], attackerStatuses.Keys);
        }
        finally
        {
            await daemon.RestartAsync();
        }
    }
}
