using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Custody.Core;
using Custody.Core.Chains.Bitcoin.Descriptors;
using Custody.Core.Audit;
using Custody.Core.Chains;
using Custody.Core.Hd;
using Custody.Core.Ledger;
using Custody.Core.Policy;
using Custody.Daemon.Auth;
using Custody.Daemon.Errors;
using Custody.Daemon.Limits;
using Custody.Daemon.Metrics;
using Custody.Daemon.Services;
using Custody.Daemon.Wallets;
using Custody.V1;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using AuditReceipt = Custody.Core.Audit.AuditReceipt;
using AuditRecord = Custody.Core.Audit.AuditRecord;
using TransactionIntent = Custody.Core.Chains.TransactionIntent;

namespace Custody.Daemon.Signing;

/// <summary>
/// The signing path (DESIGN.md "Signing path: one durable commit"), top to bottom in
/// <see cref="RunAsync{TRequest, TReply}"/>: the caller is already authenticated; then the stored
/// reply, decoding, a judgement on a snapshot of the ledger, the signature along the HSM path
/// (verified before it returns), and ONE ledger commit that judges again under the lock, reserves,
/// records and stores the reply. Nothing leaves the process before that commit. A refusal, a park
/// for approvals and a failed signature are each one record in one commit too. Transactions and
/// messages differ only in how they are decoded and signed (<see cref="Work{TReply}"/>).
/// </summary>
public sealed class SigningPipeline(
    ILedger ledger,
    SigningSlots slots,
    WalletRepository wallets,
    DescriptorAccounts accounts,
    CustodyMetrics metrics,
    TimeProvider clock,
    ILogger<SigningPipeline> logger)
{
    /// <summary>Rule of the record of a signature that could not be made (the HSM failed, or the payload could not be signed).</summary>
    public const string SigningFailedRule = "signing";

    /// <summary>The reply, and whether it is a stored one (a retry) rather than a new signature.</summary>
    public sealed record Outcome<TReply>(TReply Reply, bool Replayed);

    /// <summary>What a decoded request will sign: the request the policy judges, and how to sign it.</summary>
    private sealed record Work<TReply>(WalletRecord Wallet, SigningRequest Request, Func<IKeyRing, Signed<TReply>> Sign);

    /// <summary>A signature made: the reply to give (given the record's receipt and the final decision) and what the record says of it.</summary>
    private sealed record Signed<TReply>(Func<AuditReceipt, PolicyDecision, TReply> Reply, string TxId, byte[] ResultDigest);

    public Task<Outcome<SignTransactionResponse>> SignTransactionAsync(Caller caller, SignTransactionRequest request, CancellationToken cancellationToken) =>
        RunAsync(caller, request, request.RequestId, SignTransactionResponse.Parser, async () =>
        {
            var (wallet, chain, codec, payload, signerPath, intent) = await DecodeAsync(caller, request.WalletId, request.Chain, request.Payload, request.Signer,
                request.Account, cancellationToken).ConfigureAwait(false);
            var payloadDigest = SHA256.HashData(payload);
            var judged = SigningRequestOf(caller, request.RequestId, wallet, chain, intent, payloadDigest, signerPath) with { Account = NullIfEmpty(request.Account) };
            return new Work<SignTransactionResponse>(wallet, judged, ring =>
            {
                var signed = codec.Sign(payload, ring, signerPath);
                // What is committed is what was judged: a codec whose signed intent differs is a bug, never released.
                if (IntentJson.Digest(signed.Intent) != IntentJson.Digest(intent))
                    throw new CryptographicException("the signed transaction does not decode to the intent that was judged");
                return new Signed<SignTransactionResponse>((receipt, decision) => new SignTransactionResponse
                {
                    RequestId = request.RequestId,
                    SignedPayload = signed.Payload,
                    TxId = signed.TxId,
                    Intent = ProtoMapping.ToProto(signed.Intent, request.Account),
                    Audit = Receipt(receipt),
                    PolicyRule = decision.Rule,
                    PayloadDigest = Convert.ToHexStringLower(payloadDigest),
                }, signed.TxId, SHA256.HashData(Encoding.UTF8.GetBytes(signed.Payload)));
            });
        }, cancellationToken);

    public Task<Outcome<SignMessageResponse>> SignMessageAsync(Caller caller, SignMessageRequest request, CancellationToken cancellationToken) =>
        RunAsync(caller, request, request.RequestId, SignMessageResponse.Parser, async () =>
        {
            var (wallet, chain) = await WalletAndChainAsync(request.WalletId, request.Chain, cancellationToken).ConfigureAwait(false);
            var messages = chain.Family.Messages ?? throw new InvalidInputException("chain", $"EIP-191 and EIP-712 messages are signed for EVM chains, not {chain.Id}");
            var message = messages.Decode(chain, ProtoMapping.ToMessage(request));
            var digest = message.Digest;
            var signerPath = SignerPath(wallet, chain, request.Signer)!;
            var judged = SigningRequestOf(caller, request.RequestId, wallet, chain, null, digest, signerPath) with { MessageNotes = message.Notes };
            return new Work<SignMessageResponse>(wallet, judged, ring =>
            {
                var signed = messages.Sign(ring, signerPath, digest);
                return new Signed<SignMessageResponse>((receipt, decision) => new SignMessageResponse
                {
                    PolicyRule = decision.Rule,
                    RequestId = request.RequestId,
                    Signature = "0x" + Convert.ToHexStringLower(signed.Signature),
                    Digest = "0x" + Convert.ToHexStringLower(digest),
                    SignerAddress = signed.SignerAddress,
                    Audit = Receipt(receipt),
                }, "", SHA256.HashData(signed.Signature));
            });
        }, cancellationToken);

    /// <summary>The decision a transaction would get now and what it decodes to; nothing is reserved, recorded or signed.</summary>
    public async Task<(PolicyDecision Decision, TransactionIntent Intent)> DryRunAsync(Caller caller, DryRunRequest request, CancellationToken cancellationToken)
    {
        var requestId = request.RequestId.Length == 0 ? "dry-run" : request.RequestId;
        RequestFingerprint.ValidateRequestId(requestId);
        var (wallet, chain, _, payload, signerPath, intent) = await DecodeAsync(caller, request.WalletId, request.Chain, request.Payload, request.Signer,
            request.Account, cancellationToken).ConfigureAwait(false);
        var decision = await ledger.Signing.JudgeAsync(
            SigningRequestOf(caller, requestId, wallet, chain, intent, SHA256.HashData(payload), signerPath) with { Account = NullIfEmpty(request.Account) },
            cancellationToken).ConfigureAwait(false);
        return (decision, intent);
    }

    private async Task<Outcome<TReply>> RunAsync<TRequest, TReply>(
        Caller caller, TRequest request, string requestId, MessageParser<TReply> parser, Func<Task<Work<TReply>>> decode, CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>
        where TReply : IMessage<TReply>
    {
        // 1. Idempotency: the same id and request → the stored reply; the same id, another request → refused.
        RequestFingerprint.ValidateRequestId(requestId);
        var fingerprint = RequestFingerprint.Of(request);
        var started = Stopwatch.GetTimestamp();
        var stored = await ledger.Signing.FindReplyAsync(caller.Principal, requestId, cancellationToken).ConfigureAwait(false);
        metrics.Stage("lookup", Stopwatch.GetElapsedTime(started));
        if (stored is not null) return Replay(caller, requestId, fingerprint, stored.Fingerprint, stored.Reply, parser);

        // 2. Decode, before taking a signing slot: a malformed or slow payload never holds one.
        var work = await decode().ConfigureAwait(false);
        var signing = work.Request;

        // Everything below costs a signing slot, and is refused at once when none is free.
        using var slot = slots.Enter();

        // 3. Judge on a snapshot: a refusal is recorded and returned without any signature made.
        started = Stopwatch.GetTimestamp();
        var decision = await ledger.Signing.JudgeAsync(signing, cancellationToken).ConfigureAwait(false);
        metrics.Stage("judge", Stopwatch.GetElapsedTime(started));
        if (!decision.IsAllowed)
            return Finish(caller, signing, fingerprint, parser,
                await CommitAsync(SigningCommit.Refusal(signing, fingerprint, Record(caller, signing), decision)).ConfigureAwait(false), default);

        // 4. Sign along the HSM path; every signature is verified against its key before it returns.
        //    From here on finish even if the caller gives up: the outcome is recorded either way.
        Signed<TReply> signed;
        try
        {
            started = Stopwatch.GetTimestamp();
            using (var lease = await wallets.OpenKeysAsync(work.Wallet, signing.Chain.Curve, CancellationToken.None).ConfigureAwait(false))
                signed = work.Sign(lease.Ring);
            metrics.Signed(Stopwatch.GetElapsedTime(started));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Nothing was signed: one record says so, then the caller hears why.
            var failure = new PolicyDecision(PolicyOutcome.Failed, SigningFailedRule, FailureReason(e), decision.PolicyVersion);
            await CommitAsync(SigningCommit.Refusal(signing, fingerprint, Record(caller, signing), failure)).ConfigureAwait(false);
            throw;
        }

        // 5. One durable commit: judged again under the ledger's lock, reserved, recorded, reply stored.
        TReply? reply = default;
        var outcome = await CommitAsync(SigningCommit.Signature(signing, fingerprint, Record(caller, signing) with
        {
            ResultDigest = signed.ResultDigest,
            TxId = signed.TxId,
        }, new SignedResult(signed.TxId, signed.ResultDigest, (receipt, final) =>
        {
            reply = signed.Reply(receipt, final);
            return reply.ToByteArray();
        }))).ConfigureAwait(false);

        // 6. Reply: the signature only if the commit kept it.
        return Finish(caller, signing, fingerprint, parser, outcome, reply);
    }

    private async Task<SigningOutcome> CommitAsync(SigningCommit commit)
    {
        var started = Stopwatch.GetTimestamp();
        // Not cancellable once queued: a cancelled caller's outcome is recorded all the same.
        SigningOutcome outcome;
        try
        {
            outcome = await ledger.Signing.CommitAsync(commit).ConfigureAwait(false);
        }
        catch
        {
            metrics.AuditWriteFailed();
            throw;
        }
        metrics.AuditWrite(Stopwatch.GetElapsedTime(started));
        if (outcome.Decision is { } decision) metrics.PolicyDecided(decision.Outcome, decision.Rule);
        return outcome;
    }

    private Outcome<TReply> Finish<TReply>(Caller caller, SigningRequest request, byte[] fingerprint, MessageParser<TReply> parser, SigningOutcome outcome, TReply? reply)
        where TReply : IMessage<TReply>
    {
        switch (outcome.Kind)
        {
            case SigningOutcomeKind.Signed:
                Log.Signed(logger, request.RequestId, caller.Principal, request.WalletId, request.Chain.Id, outcome.Receipt!.Sequence);
                return new Outcome<TReply>(reply ?? parser.ParseFrom(outcome.Reply), Replayed: false);
            case SigningOutcomeKind.Replayed:
            case SigningOutcomeKind.RequestIdReused:
                // Another call with this id committed first (and this one's signature, if any, is dropped).
                return Replay(caller, request.RequestId, fingerprint, outcome.Kind == SigningOutcomeKind.Replayed ? fingerprint : [], outcome.Reply ?? [], parser);
            default:
                var decision = outcome.Decision!;
                Log.PolicyRefused(logger, request.RequestId, caller.Principal, request.WalletId, decision.Outcome.ToString(), decision.Rule);
                throw Refusal(decision, request, outcome.Parked);
        }
    }

    private Outcome<TReply> Replay<TReply>(Caller caller, string requestId, byte[] fingerprint, byte[] storedFingerprint, byte[] reply, MessageParser<TReply> parser)
        where TReply : IMessage<TReply>
    {
        if (!CryptographicOperations.FixedTimeEquals(storedFingerprint, fingerprint))
        {
            Log.RequestIdReused(logger, requestId, caller.Principal);
            throw ApiException.RequestIdReused(requestId);
        }
        Log.Replayed(logger, requestId, caller.Principal);
        return new Outcome<TReply>(parser.ParseFrom(reply), Replayed: true);
    }

    private async Task<(WalletRecord Wallet, Chain Chain, ITransactionCodec Codec, byte[] Payload, KeyPath? Signer, TransactionIntent Intent)> DecodeAsync(
        Caller caller, string walletId, string chainId, string payloadText, V1.Signer? signer, string account, CancellationToken cancellationToken)
    {
        var (wallet, chain) = await WalletAndChainAsync(walletId, chainId, cancellationToken).ConfigureAwait(false);
        var codec = string.IsNullOrEmpty(account) ? chain.Codec() : await AccountCodecAsync(wallet, chain, account, cancellationToken).ConfigureAwait(false);
        var payload = codec.ParsePayload(payloadText);
        var signerPath = SignerPath(wallet, chain, signer);
        // The signer's public key makes the intent complete before signing (an EVM sender, and with it its nonce's replay key).
        var signerKey = signerPath is null ? null : new SignerKey(signerPath, await wallets.PublicKeyAsync(wallet, chain, signerPath, caller.Principal, cancellationToken).ConfigureAwait(false));
        var intent = codec.Decode(payload, signerKey); // refuse what cannot be explained
        return (wallet, chain, codec, payload, signerPath, intent);
    }

    /// <summary>A PSBT codec that knows the named descriptor account, so change is only what pays that descriptor at a change index.</summary>
    private async Task<ITransactionCodec> AccountCodecAsync(WalletRecord wallet, Chain chain, string name, CancellationToken cancellationToken)
    {
        DescriptorAccount.NetworkOf(chain, "account");
        var account = await accounts.GetAsync(wallet, name, cancellationToken).ConfigureAwait(false);
        if (account.Chain.Id != chain.Id)
            throw new InvalidInputException("account", $"account '{account.Record.Name}' is on {account.Chain.Id}, not {chain.Id}");
        return DescriptorAccount.Codec(chain, account.Descriptor);
    }

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;

    private SigningRequest SigningRequestOf(Caller caller, string requestId, WalletRecord wallet, Chain chain, TransactionIntent? intent, byte[] payloadDigest, KeyPath? signer) =>
        new(requestId, caller.Principal, wallet.WalletId, chain, intent, Convert.ToHexStringLower(payloadDigest), clock.GetUtcNow(), signer);

    private async Task<(WalletRecord Wallet, Chain Chain)> WalletAndChainAsync(string walletId, string chainId, CancellationToken cancellationToken)
    {
        var wallet = await wallets.GetAsync(walletId, cancellationToken).ConfigureAwait(false);
        var chain = ProtoMapping.ToChain(chainId);
        if (wallet.Kind == Core.Ledger.WalletKind.HsmNative && wallet.Curve != chain.Curve) throw ApiException.WrongCurve(wallet.WalletId, chain.Id);
        return (wallet, chain);
    }

    /// <summary>
    /// Which key signs: an HSM-native wallet has one key, at m; otherwise the chain's family picks
    /// (<see cref="ChainFamily.SignerPath"/>: an account chain's default path at the caller's account
    /// and index; none for a PSBT, which names its keys in its derivation fields).
    /// </summary>
    private static KeyPath? SignerPath(WalletRecord wallet, Chain chain, V1.Signer? signer)
    {
        var account = signer?.Account ?? 0;
        var index = signer?.Index ?? 0;
        if (wallet.Kind == Core.Ledger.WalletKind.HsmNative)
        {
            if (account != 0 || index != 0) throw new InvalidInputException("signer", "an HSM-native wallet has one key: leave signer unset");
            return KeyPath.Root;
        }
        return chain.Family.SignerPath(chain, account, index);
    }

    /// <summary>The request's record; the ledger adds decision, rule, reason and policy version.</summary>
    private static AuditRecord Record(Caller caller, SigningRequest request)
    {
        var details = new Dictionary<string, string>(StringComparer.Ordinal) { ["request_id"] = request.RequestId };
        if (request.Signer is { } signer) details["signer"] = signer.ToString();
        if (request.Account is { } account) details["account"] = account;
        if (request.Intent is not null) details["intent_digest"] = RequestDigest.Intent(request);
        return new AuditRecord
        {
            Principal = caller.Principal,
            Action = request.Intent is null ? AuditActions.SignMessage : AuditActions.SignTransaction,
            WalletId = request.WalletId,
            Chain = request.Chain.Id,
            RequestDigest = Convert.FromHexString(request.PayloadDigest),
            Details = details,
        };
    }

    private static V1.AuditReceipt Receipt(AuditReceipt receipt) => new()
    {
        Sequence = (ulong)receipt.Sequence,
        DecisionSequence = (ulong)receipt.Sequence,
        ResultSequence = (ulong)receipt.Sequence,
    };

    // What the record says of a signature that was not made: never key material, never a stack trace.
    private static string FailureReason(Exception e) => e switch
    {
        InvalidInputException invalid => $"the payload could not be signed: {invalid.Message}",
        Hsm.HsmException hsm => $"the HSM failed: {hsm.Error}",
        _ => $"signing failed ({e.GetType().Name})",
    };

    private static ApiException Refusal(PolicyDecision decision, SigningRequest request, PendingApproval? parked)
    {
        var metadata = new Dictionary<string, string>
        {
            ["rule"] = decision.Rule,
            ["policy_version"] = decision.PolicyVersion.ToString(CultureInfo.InvariantCulture),
        };
        return decision.Outcome switch
        {
            PolicyOutcome.Frozen => new ApiException(StatusCode.FailedPrecondition, "WALLET_FROZEN", decision.Reason, metadata),
            PolicyOutcome.NeedsApproval => new ApiException(StatusCode.FailedPrecondition, "APPROVAL_REQUIRED", decision.Reason,
                new Dictionary<string, string>(metadata)
                {
                    ["approvals_required"] = decision.ApprovalsRequired.ToString(CultureInfo.InvariantCulture),
                    // What approvers look the request up by (SigningService.GetRequest), and what they sign.
                    ["request_digest"] = parked?.RequestDigest ?? RequestDigest.Compute(request),
                }),
            PolicyOutcome.Failed when decision.Rule == SigningFailedRule => new ApiException(StatusCode.Unavailable, "SIGNING_FAILED", decision.Reason, metadata),
            PolicyOutcome.Failed => new ApiException(StatusCode.Unavailable, "POLICY_FAILED", decision.Reason, metadata),
            _ => new ApiException(StatusCode.PermissionDenied, "POLICY_DENIED", decision.Reason, metadata),
        };
    }
}
