using System.Net;
using System.Text;
using System.Text.Json;
using Custody.V1;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace Custody.Daemon.Tests;

/// <summary>
/// The HTTP/JSON face of the daemon: a signing round trip as a plain HTTP client makes it, with the
/// same replies, idempotency and refusals as gRPC; errors as google.rpc.Status JSON with the HTTP
/// status of their code; unknown fields refused; health for load balancers; nothing on the metrics port.
/// </summary>
[Collection(DaemonCollection.Name)]
public class HttpJsonTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
{
    private readonly HttpJson http = HttpJson.ForPort(daemon.HttpPort);

    private static MethodDescriptor Rpc(ServiceDescriptor service, string name) => service.FindMethodByName(name);

    [Fact]
    public async Task A_transaction_is_signed_over_http_json_replayed_with_the_stored_reply_and_proven_in_the_audit_log()
    {
        var (wallet, _) = await http.CallAsync<Wallet>(Rpc(V1.WalletService.Descriptor, "CreateWallet"),
            new CreateWalletRequest { Name = "http", Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, daemon.AdminToken);
        Assert.Equal(wallet, await daemon.Wallets.GetWalletAsync(new GetWalletRequest { WalletId = wallet.WalletId }, DaemonFixture.Bearer(daemon.AdminToken)));
        var (address, _) = await http.CallAsync<DeriveAddressResponse>(Rpc(V1.WalletService.Descriptor, "DeriveAddress"),
            new DeriveAddressRequest { WalletId = wallet.WalletId, Chain = "eth", NextUnused = true }, daemon.SignerToken);

        var request = new SignTransactionRequest { RequestId = "http-" + Guid.NewGuid().ToString("N"), WalletId = wallet.WalletId, Chain = "eth", Payload = EvmPayloads.Eip1559(3) };
        var sign = Rpc(V1.SigningService.Descriptor, "SignTransaction");
        var (signed, headers) = await http.CallAsync<SignTransactionResponse>(sign, request, daemon.SignerToken);
        Assert.Equal(address.Address, EvmPayloads.RecoverEvmSigner(signed.SignedPayload));
        Assert.False(headers.Contains(V1Headers.Replayed));

        var (again, replayHeaders) = await http.CallAsync<SignTransactionResponse>(sign, request, daemon.SignerToken);
        Assert.Equal(signed, again);
        Assert.Equal(["true"], replayHeaders.GetValues(V1Headers.Replayed));
        // The same request id over gRPC is the same request of the same principal: the stored reply again.
        Assert.Equal(signed, await daemon.Signing.SignTransactionAsync(request, DaemonFixture.Bearer(daemon.SignerToken)));
        var reused = request.Clone();
        reused.Payload = EvmPayloads.Eip1559(4);
        var info = await Errors.RefusedAsync(StatusCode.AlreadyExists, "REQUEST_ID_REUSED", () => http.CallAsync(sign, reused, daemon.SignerToken));
        Assert.Equal(request.RequestId, info.Metadata["request_id"]);

        var (proof, _) = await Eventually.SucceedsAsync(() => http.CallAsync<InclusionProofResponse>(Rpc(V1.AuditService.Descriptor, "GetInclusionProof"),
            new GetInclusionProofRequest { Sequence = signed.Audit.Sequence }, daemon.AuditorToken), TimeSpan.FromSeconds(30));
        Assert.Equal(signed.Audit.Sequence, proof.Sequence);
        var (records, _) = await http.CallAsync<ListAuditRecordsResponse>(Rpc(V1.AuditService.Descriptor, "ListRecords"),
            new ListAuditRecordsRequest { FromSequence = signed.Audit.Sequence, Limit = 1 }, daemon.AuditorToken);
        var record = Assert.Single(records.Records);
        Assert.Equal(("sign.transaction", request.RequestId), (record.Action, record.Details["request_id"]));
    }

    [Fact]
    public async Task Refusals_are_google_rpc_status_json_with_the_error_info_and_the_http_status_of_their_code()
    {
        var ping = Rpc(V1.SystemService.Descriptor, "Ping");
        await Errors.RefusedAsync(StatusCode.Unauthenticated, "UNAUTHENTICATED", () => http.CallAsync(ping, new PingRequest(), null));
        var role = await Errors.RefusedAsync(StatusCode.PermissionDenied, "ROLE_REQUIRED", () => http.CallAsync(Rpc(V1.WalletService.Descriptor, "CreateWallet"),
            new CreateWalletRequest { Name = "x", Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, daemon.SignerToken));
        Assert.Equal("admin", role.Metadata["role"]);
        var field = await Errors.RefusedAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () => http.CallAsync(Rpc(V1.WalletService.Descriptor, "CreateWallet"),
            new CreateWalletRequest { Name = "x", Kind = WalletKind.Hd }, daemon.AdminToken));
        Assert.Equal("backup", field.Metadata["field"]);
        await Errors.RefusedAsync(StatusCode.NotFound, "NOT_FOUND", () => http.CallAsync(Rpc(V1.WalletService.Descriptor, "GetWallet"),
            new GetWalletRequest { WalletId = "w_000000000000000000000000" }, daemon.AdminToken));

        // Over a limit: the policy's refusal, as over gRPC.
        var wallet = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "http-limit", Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged },
            DaemonFixture.Bearer(daemon.AdminToken));
        await http.CallAsync(Rpc(V1.PolicyService.Descriptor, "SetPolicy"), new SetPolicyRequest
        {
            WalletId = wallet.WalletId,
            Document = """{ "schema": "custody-policy/v1", "principals": ["signer-1"], "chains": { "eth": { "assets": { "native": { "maxPerTransaction": "1000" } } } } }""",
        }, daemon.AdminToken);
        var denied = await Errors.RefusedAsync(StatusCode.PermissionDenied, "POLICY_DENIED", () => http.CallAsync(Rpc(V1.SigningService.Descriptor, "SignTransaction"),
            new SignTransactionRequest { RequestId = "http-over-" + Guid.NewGuid().ToString("N"), WalletId = wallet.WalletId, Chain = "eth", Payload = EvmPayloads.Eip1559(0) },
            daemon.SignerToken));
        Assert.Equal("max-per-transaction", denied.Metadata["rule"]);
    }

    [Theory]
    [InlineData("""{"name":"typo","kind":"WALLET_KIND_HD","backup":"WALLET_BACKUP_NONE_ACKNOWLEDGED","curv":"KEY_CURVE_ED25519"}""", "application/json", "curv")]
    [InlineData("""{"name":"typo",""", "application/json", "body")]
    [InlineData("""{"name":"typo"}""", "application/x-www-form-urlencoded", "Content-Type")]
    public async Task A_body_with_an_unknown_field_or_that_is_not_json_is_refused_naming_it(string body, string contentType, string field)
    {
        using var client = Client(daemon.AdminToken);
        using var response = await client.PostAsync("/v1/wallets", new StringContent(body, Encoding.UTF8, contentType));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(3, status.RootElement.GetProperty("code").GetInt32());
        var info = status.RootElement.GetProperty("details").EnumerateArray().Single(d => d.GetProperty("@type").GetString()!.EndsWith("ErrorInfo", StringComparison.Ordinal));
        Assert.Equal("INVALID_ARGUMENT", info.GetProperty("reason").GetString());
        Assert.Equal(field, info.GetProperty("metadata").GetProperty("field").GetString());
    }

    [Fact]
    public async Task An_unknown_query_parameter_is_refused_and_proto_or_json_names_are_accepted()
    {
        using var client = Client(daemon.AdminToken);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/v1/wallets?pagesize=1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/wallets?page_size=1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/wallets?pageSize=1")).StatusCode);
    }

    [Fact]
    public async Task Health_answers_without_a_token_and_the_metrics_port_serves_only_metrics()
    {
        using var client = Client(null);
        Assert.Equal("Healthy", await client.GetStringAsync("/healthz"));
        Assert.Equal("Healthy", await client.GetStringAsync("/readyz"));
        using var metrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{daemon.MetricsPort}") };
        metrics.DefaultRequestHeaders.Authorization = new("Bearer", daemon.AdminToken);
        foreach (var path in new[] { "/v1/ping", "/openapi/v1.json", "/readyz" })
            Assert.Equal(HttpStatusCode.NotFound, (await metrics.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await metrics.GetAsync("/metrics")).StatusCode);
    }

    private HttpClient Client(string? token)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{daemon.HttpPort}") };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    private static class V1Headers
    {
        public const string Replayed = "custody-replayed";
    }
}
