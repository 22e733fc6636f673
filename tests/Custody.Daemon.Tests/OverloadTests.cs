using Custody.Daemon.Limits;
using Custody.V1;
using Microsoft.Extensions.DependencyInjection;
using Grpc.Core;

namespace Custody.Daemon.Tests;

[Collection(DaemonCollection.Name)]
public class OverloadTests(DaemonFixture daemon)
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
}
