using Custody.Core.Ledger;
using Custody.V1;
using Grpc.Core;
using Grpc.Health.V1;

using WalletKind = Custody.V1.WalletKind;

namespace Custody.Daemon.Tests;

[Collection(DaemonCollection.Name)]
public class AuthTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
{
    [Fact]
    public async Task Ping_answers_with_the_principal_and_roles_of_the_token()
    {
        var reply = await daemon.System.PingAsync(new PingRequest(), DaemonFixture.Bearer(daemon.AdminToken));
        Assert.Equal("admin", reply.Principal);
        Assert.Equal(["admin"], reply.Roles);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Basic YWRtaW46YWRtaW4=")]
    [InlineData("Bearer not-a-token")]
    [InlineData("Bearer cst_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // well-formed, unknown
    public async Task Calls_without_a_valid_token_are_unauthenticated(string? header)
    {
        var headers = header is null ? new Metadata() : new Metadata { { "authorization", header } };
        await Errors.RefusedAsync(StatusCode.Unauthenticated, "UNAUTHENTICATED", () => daemon.System.PingAsync(new PingRequest(), headers));
    }

    [Fact]
    public async Task A_revoked_token_stops_working_once_revoked_through_the_cli()
    {
        var (token, secret) = daemon.CreateToken("short-lived", Roles.Signer, WalletScope.All);
        await daemon.System.PingAsync(new PingRequest(), DaemonFixture.Bearer(secret));

        ChildProcess.AdminSucceeds("token", "revoke", "--data-dir", daemon.DataDir, "--token-id", token.TokenId);

        // The daemon caches a token for TokenCacheSeconds (1 s): the refusal arrives within that.
        await Eventually.SucceedsAsync(() => Errors.RefusedAsync(StatusCode.Unauthenticated, "UNAUTHENTICATED",
            () => daemon.System.PingAsync(new PingRequest(), DaemonFixture.Bearer(secret))), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_token_without_the_role_is_refused_naming_the_role()
    {
        var info = await Errors.RefusedAsync(StatusCode.PermissionDenied, "ROLE_REQUIRED",
            () => daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "x", Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, DaemonFixture.Bearer(daemon.SignerToken)));
        Assert.Equal("admin", info.Metadata["role"]);

        await Errors.RefusedAsync(StatusCode.PermissionDenied, "ROLE_REQUIRED",
            () => daemon.Signing.SignTransactionAsync(new SignTransactionRequest { RequestId = "r", WalletId = "w_x", Chain = "eth", Payload = "0x" },
                DaemonFixture.Bearer(daemon.AuditorToken)));
        // An admin manages; it does not sign.
        await Errors.RefusedAsync(StatusCode.PermissionDenied, "ROLE_REQUIRED",
            () => daemon.Signing.SignTransactionAsync(new SignTransactionRequest { RequestId = "r", WalletId = "w_x", Chain = "eth", Payload = "0x" },
                DaemonFixture.Bearer(daemon.AdminToken)));
    }

    [Fact]
    public async Task A_token_scoped_to_other_wallets_cannot_use_this_one()
    {
        var wallet = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "scoped", Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, DaemonFixture.Bearer(daemon.AdminToken));
        var scoped = daemon.NewToken("scoped-signer", Roles.Signer, WalletScope.Parse("w_000000000000000000000000"));

        var info = await Errors.RefusedAsync(StatusCode.PermissionDenied, "WALLET_NOT_IN_SCOPE",
            () => daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = wallet.WalletId, Chain = "eth", NextUnused = true }, DaemonFixture.Bearer(scoped)));
        Assert.Equal(wallet.WalletId, info.Metadata["wallet_id"]);

        var listed = await daemon.Wallets.ListWalletsAsync(new ListWalletsRequest(), DaemonFixture.Bearer(scoped));
        Assert.DoesNotContain(listed.Wallets, w => w.WalletId == wallet.WalletId);
    }

    [Fact]
    public async Task Health_answers_without_a_token()
    {
        var health = new Health.HealthClient(daemon.Channel);
        var reply = await health.CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Reflection_lists_the_services_to_an_authenticated_client_only()
    {
        var reflection = new Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(daemon.Channel);
        using (var call = reflection.ServerReflectionInfo(DaemonFixture.Bearer(daemon.AuditorToken)))
        {
            await call.RequestStream.WriteAsync(new Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = "" });
            await call.RequestStream.CompleteAsync();
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            var names = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
            Assert.Contains("custody.v1.SigningService", names);
            Assert.Contains("custody.v1.WalletService", names);
        }

        using var anonymous = reflection.ServerReflectionInfo();
        try
        {
            await anonymous.RequestStream.WriteAsync(new Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = "" });
        }
        catch (RpcException)
        {
            // The server may refuse before the request is even written; the write then reports only
            // that the call is over (Cancelled). The call's status, read below, says why.
        }
        var e = await Assert.ThrowsAsync<RpcException>(() => anonymous.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
    }
}
