// Custody over gRPC from C# (Grpc.Net.Client): create a wallet, sign an EIP-1559 transaction,
// retry it (the stored reply, flagged by the custody-replayed header), and check the audit
// receipt: the record's inclusion proof (RFC 9162) against the signed checkpoint's root.
//
// Environment: CUSTODY_GRPC (default http://127.0.0.1:7443), CUSTODY_ADMIN_TOKEN and
// CUSTODY_SIGNER_TOKEN (files holding the tokens; never on the command line), CUSTODY_PAYLOAD.
using System.Security.Cryptography;
using Custody.V1;
using Grpc.Core;
using Grpc.Net.Client;

var endpoint = Environment.GetEnvironmentVariable("CUSTODY_GRPC") ?? "http://127.0.0.1:7443";
var admin = Token("CUSTODY_ADMIN_TOKEN");
var signer = Token("CUSTODY_SIGNER_TOKEN");
var payloadFile = Environment.GetEnvironmentVariable("CUSTODY_PAYLOAD")
    ?? Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "payloads", "eth-0.01.unsigned.hex");

try
{
    using var channel = GrpcChannel.ForAddress(endpoint);
    var wallets = new WalletService.WalletServiceClient(channel);
    var signing = new SigningService.SigningServiceClient(channel);
    var audit = new AuditService.AuditServiceClient(channel);

    // A wallet made through the API has no backup of its keys: the request says it knows.
    var wallet = await wallets.CreateWalletAsync(new CreateWalletRequest
    {
        Name = "csharp-example", Kind = WalletKind.Hd, Backup = WalletBackup.NoneAcknowledged,
    }, Bearer(admin));
    var address = await wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = wallet.WalletId, Chain = "eth", Index = 0 }, Bearer(signer));
    Console.WriteLine($"wallet {wallet.WalletId} (backup {wallet.Backup}), eth address {address.Address}");

    // The request id makes the call idempotent: a retry gets the stored reply, never a second signature.
    var request = new SignTransactionRequest
    {
        RequestId = $"csharp-{Guid.NewGuid():N}", WalletId = wallet.WalletId, Chain = "eth",
        Payload = File.ReadAllText(payloadFile).Trim(),
    };
    var signed = await signing.SignTransactionAsync(request, Bearer(signer));
    using var retry = signing.SignTransactionAsync(request, Bearer(signer));
    var again = await retry;
    if (!again.Equals(signed) || (await retry.ResponseHeadersAsync).GetValue("custody-replayed") != "true")
        throw new InvalidOperationException("a retry must return the stored reply");
    Console.WriteLine($"signed {signed.TxId} (rule {signed.PolicyRule}), audit record {signed.Audit.Sequence}");

    // The receipt: the record is in the tree a signed checkpoint commits to (signed within a second or so).
    for (var attempt = 0; ; attempt++)
    {
        try
        {
            var proof = await audit.GetInclusionProofAsync(new GetInclusionProofRequest { Sequence = signed.Audit.Sequence }, Bearer(admin));
            Console.WriteLine(CheckReceipt(proof));
            break;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument && attempt < 50)
        {
            await Task.Delay(200); // not covered by a checkpoint yet
        }
    }
    return 0;
}
catch (Exception e) when (e is RpcException or InvalidOperationException or IOException)
{
    Console.Error.WriteLine($"error: {(e is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : e.Message)}");
    return 1;
}

static string Token(string variable) =>
    File.ReadAllText(Environment.GetEnvironmentVariable(variable) ?? throw new InvalidOperationException($"{variable} is not set")).Trim();

static Metadata Bearer(string token) => new() { { "authorization", $"Bearer {token}" } };

static string CheckReceipt(InclusionProofResponse proof)
{
    // The checkpoint is a C2SP signed note: origin, tree size, base64 root, a blank line, signatures.
    var lines = proof.Checkpoint.Split('\n');
    var (origin, size, root) = (lines[0], ulong.Parse(lines[1]), Convert.FromBase64String(lines[2]));
    var leaf = SHA256.HashData([0, .. proof.RecordData.Span]);
    if (size != proof.TreeSize || !VerifyInclusion(proof.Sequence, size, leaf, [.. proof.Path.Select(p => p.ToByteArray())], root))
        throw new InvalidOperationException($"record {proof.Sequence}: the inclusion proof does not lead to the checkpoint's root");
    return $"audit record {proof.Sequence} is in checkpoint {proof.CheckpointIndex} of {origin} (tree size {size})";
}

// RFC 9162 section 2.1.3.2: does the path lead from the leaf at index to the root of a tree of size?
static bool VerifyInclusion(ulong index, ulong size, byte[] leafHash, byte[][] path, byte[] root)
{
    if (index >= size) return false;
    var (fn, sn, r) = (index, size - 1, leafHash);
    foreach (var p in path)
    {
        if (sn == 0) return false;
        if ((fn & 1) == 1 || fn == sn)
        {
            r = SHA256.HashData([1, .. p, .. r]);
            if ((fn & 1) == 0)
                while ((fn & 1) == 0 && fn != 0) { fn >>= 1; sn >>= 1; }
        }
        else
        {
            r = SHA256.HashData([1, .. r, .. p]);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && r.AsSpan().SequenceEqual(root);
}
