using System.Numerics;
using Custody.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Custody.Daemon.Tests;

/// <summary>
/// Issue 16's races, through the API: the ledger's commit decides, not the order requests arrive in.
/// </summary>
[Collection(DaemonCollection.Name)]
public class RaceTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
{
    private Metadata Admin => DaemonFixture.Bearer(daemon.AdminToken);

    private Metadata Signer => DaemonFixture.Bearer(daemon.SignerToken);

    private async Task<string> WalletAsync(string name, string ethRules)
    {
        var wallet = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = name, Kind = V1.WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, Admin);
        await daemon.Policy.SetPolicyAsync(new SetPolicyRequest
        {
            WalletId = wallet.WalletId,
            Document = $$"""{ "schema": "custody-policy/v1", "principals": ["signer-1"], "chains": { "eth": {{ethRules}} } }""",
        }, Admin);
        return wallet.WalletId;
    }

    /// <summary>Sends a request until it is not refused for want of a free signing slot, as a client retries.</summary>
    private static async Task<RpcException?> SignAsync(SigningService.SigningServiceClient client, SignTransactionRequest request, Metadata headers)
    {
        while (true)
        {
            try
            {
                await client.SignTransactionAsync(request, headers);
                return null;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
            {
                await Task.Delay(Random.Shared.Next(1, 10));
            }
            catch (RpcException e)
            {
                return e;
            }
        }
    }

    [Fact]
    public async Task Sixty_four_concurrent_requests_against_a_limit_that_fits_fourteen_sign_exactly_fourteen()
    {
        // 0.01 ETH each; 0.14 ETH a day.
        var wallet = await WalletAsync("race-velocity", """{ "assets": { "native": { "velocity": [ { "window": "24h", "maxAmount": "140000000000000000" } ] } } }""");
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => SignAsync(daemon.Signing, new SignTransactionRequest
        {
            RequestId = $"race-velocity-{i}", WalletId = wallet, Chain = "eth", Payload = EvmPayloads.Eip1559((ulong)i),
        }, Signer)));
        Assert.Equal(14, outcomes.Count(e => e is null));
        Assert.All(outcomes.Where(e => e is not null), e => Assert.Equal(StatusCode.PermissionDenied, e!.StatusCode));
    }

    [Fact]
    public async Task One_sender_and_nonce_with_sixteen_different_payloads_at_once_signs_exactly_once()
    {
        var wallet = await WalletAsync("race-nonce", """{ "assets": { "native": {} } }""");
        var outcomes = await Task.WhenAll(Enumerable.Range(1, 16).Select(i => SignAsync(daemon.Signing, new SignTransactionRequest
        {
            RequestId = $"race-nonce-{i}", WalletId = wallet, Chain = "eth", Payload = EvmPayloads.Eip1559(7, value: new BigInteger(i)),
        }, Signer)));
        Assert.Single(outcomes, e => e is null);
        Assert.All(outcomes.Where(e => e is not null), e => Assert.Equal(StatusCode.PermissionDenied, e!.StatusCode));
    }

    [Fact]
    public async Task The_same_request_id_raced_from_two_connections_signs_once_and_both_get_the_same_reply()
    {
        var wallet = await WalletAsync("race-id", """{ "assets": { "native": {} } }""");
        using var second = GrpcChannel.ForAddress($"http://127.0.0.1:{daemon.Port}");
        var clients = new[] { daemon.Signing, new SigningService.SigningServiceClient(second) };
        for (var round = 0; round < 5; round++)
        {
            var request = new SignTransactionRequest { RequestId = $"race-id-{round}", WalletId = wallet, Chain = "eth", Payload = EvmPayloads.Eip1559((ulong)round) };
            var replies = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
            {
                while (true)
                {
                    try
                    {
                        return await clients[i % 2].SignTransactionAsync(request, Signer);
                    }
                    catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
                    {
                        await Task.Delay(Random.Shared.Next(1, 10));
                    }
                }
            }));
            Assert.All(replies, r => Assert.Equal(replies[0], r));
        }
        var records = (await daemon.Audit.ListRecordsAsync(new ListAuditRecordsRequest { WalletId = wallet, Action = "sign.transaction", Limit = 100 },
            DaemonFixture.Bearer(daemon.AuditorToken))).Records;
        Assert.Equal(5, records.Count); // one record, one signature released, per request id
        Assert.Equal(5, records.Select(r => r.Details["request_id"]).Distinct().Count());
    }
}
