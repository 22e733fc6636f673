using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Custody.Core;
using Custody.Core.Chains;
using Custody.Core.Hd;
using Custody.Core.Policy;
using Custody.Daemon.Auth;
using Custody.Daemon.Errors;
using Custody.Daemon.Limits;
using Custody.Daemon.Metrics;
using Custody.Daemon.Services;
using Custody.Daemon.Wallets;
using Custody.Storage.Audit;
using Custody.Storage.Idempotency;
using Custody.Storage.Wallets;
using Custody.V1;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using AuditRecord = Custody.Core.Audit.AuditRecord;
using TransactionIntent = Custody.Core.Chains.TransactionIntent;

namespace Custody.Daemon.Signing;

/// <summary>
/// The signing path (DESIGN.md "Signing path"), top to bottom in <see cref="RunAsync{TReply}"/>:
/// the caller is already authenticated; then idempotency, decoding, the policy, a durable audit
/// record of the decision, the signature along the HSM path (verified before it returns), a
/// durable record of the result, the stored reply. Transactions and messages differ only in
/// how they are decoded and signed (<see cref="Work{TReply}"/>).
/// </summary>
public sealed class SigningPipeline(
    IdempotencyStore idempotency,
    InFlightRequests inFlight,
    SigningSlots slots,
    WalletDirectory wallets,
    ISigningGate gate,
    AuditLog audit,
    DaemonMetrics metrics,
    TimeProvider clock,
    ILogger<SigningPipeline> logger)
{
    /// <summary>The reply, and whether it is a stored one (a retry) rather than a new signature.</summary>
    public sealed record Outcome<TReply>(TReply Reply, bool Replayed);

    /// <summary>What a decoded request will sign: its intent (null: not a transaction), the digest the audit names, and how to sign.</summary>
    private sealed record Work<TReply>(
        WalletRecord Wallet,
        Chain Chain,
        TransactionIntent? Intent,
        byte[] PayloadDigest,
        Func<IKeyRing, Signed<TReply>> Sign)
    {
        /// <summary>What the decoder found in a message (no intent), for the policy to judge.</summary>
        public IReadOnlyList<string> MessageNotes { get; init; } = [];
    }

    /// <summary>A signature made: the reply to give (given the audit receipt) and what the result record says.</summary>
    private sealed record Signed<TReply>(Func<V1.AuditReceipt, string, TReply> Reply, string TxId, byte[] ResultDigest);

    public Task<Outcome<SignTransactionResponse>> SignTransactionAsync(Caller caller, SignTransactionRequest request, CancellationToken cancellationToken) =>
        RunAsync(caller, request, request.RequestId, SignTransactionResponse.Parser, async () =>
        {
            var (wallet, chain) = await WalletAndChainAsync(request.WalletId, request.Chain, cancellationToken).ConfigureAwait(false);
            var codec = TransactionCodecs.For(chain);
            var payload = codec.ParsePayload(request.Payload);
            var intent = codec.Decode(payload); // refuse what cannot be explained
            var signerPath = SignerPath(wallet, chain, request.Signer);
            var payloadDigest = SHA256.HashData(payload);
            return new Work<SignTransactionResponse>(wallet, chain, intent, payloadDigest, ring =>
            {
                var signed = codec.Sign(payload, ring, signerPath);
                return new Signed<SignTransactionResponse>((receipt, rule) => new SignTransactionResponse
                {
                    RequestId = request.RequestId,
                    SignedPayload = signed.Payload,
                    TxId = signed.TxId,
                    Intent = ProtoMapping.ToProto(signed.Intent),
                    Audit = receipt,
                    PolicyRule = rule,
                    PayloadDigest = Convert.ToHexStringLower(payloadDigest),
                }, signed.TxId, SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(signed.Payload)));
            });
        }, cancellationToken);

    public Task<Outcome<SignMessageResponse>> SignMessageAsync(Caller caller, SignMessageRequest request, CancellationToken cancellationToken) =>
        RunAsync(caller, request, request.RequestId, SignMessageResponse.Parser, async () =>
        {
            var (wallet, chain) = await WalletAndChainAsync(request.WalletId, request.Chain, cancellationToken).ConfigureAwait(false);
            if (chain.Family != ChainFamily.Evm) throw new InvalidInputException("chain", $"EIP-191 and EIP-712 messages are signed for EVM chains, not {chain.Id}");
            var message = EvmMessage.Decode(request, chain);
            var digest = message.Digest;
            var signerPath = SignerPath(wallet, chain, request.Signer);
            return new Work<SignMessageResponse>(wallet, chain, null, digest, ring =>
            {
                var signature = Custody.Core.Chains.Evm.EvmMessages.SignDigest(ring, signerPath!, digest);
                return new Signed<SignMessageResponse>((receipt, rule) => new SignMessageResponse
                {
                    PolicyRule = rule,
                    RequestId = request.RequestId,
                    Signature = "0x" + Convert.ToHexStringLower(signature),
                    Digest = "0x" + Convert.ToHexStringLower(digest),
                    SignerAddress = Custody.Core.Chains.Evm.EvmMessages.RecoverAddress(digest, signature),
                    Audit = receipt,
                }, "", SHA256.HashData(signature));
            }) { MessageNotes = message.Notes };
        }, cancellationToken);

    /// <summary>The decision a transaction would get now and what it decodes to; nothing is reserved, recorded or signed.</summary>
    public async Task<(PolicyDecision Decision, TransactionIntent Intent)> DryRunAsync(Caller caller, DryRunRequest request, CancellationToken cancellationToken)
    {
        var requestId = request.RequestId.Length == 0 ? "dry-run" : request.RequestId;
        RequestFingerprint.ValidateRequestId(requestId);
        var (wallet, chain) = await WalletAndChainAsync(request.WalletId, request.Chain, cancellationToken).ConfigureAwait(false);
        var codec = TransactionCodecs.For(chain);
        var payload = codec.ParsePayload(request.Payload);
        var intent = codec.Decode(payload);
        SignerPath(wallet, chain, request.Signer);
        var decision = await gate.DryRunAsync(new SigningRequest(requestId, caller.Principal, wallet.WalletId, chain, intent,
            Convert.ToHexStringLower(SHA256.HashData(payload)), clock.GetUtcNow()), cancellationToken).ConfigureAwait(false);
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
        using var claim = inFlight.Enter(caller.Principal, requestId);
        var lookupStarted = Stopwatch.GetTimestamp();
        var stored = await idempotency.FindAsync(caller.Principal, requestId, cancellationToken).ConfigureAwait(false);
        metrics.Stage("lookup", Stopwatch.GetElapsedTime(lookupStarted));
        if (stored is not null)
        {
            if (!CryptographicOperations.FixedTimeEquals(stored.RequestDigest, fingerprint))
            {
                Log.RequestIdReused(logger, requestId, caller.Principal);
                throw ApiException.RequestIdReused(requestId);
            }
            Log.Replayed(logger, requestId, caller.Principal);
            return new Outcome<TReply>(parser.ParseFrom(stored.Reply), Replayed: true);
        }

        // 2. Decode, before taking a slot: input that is refused never holds one, however it was shaped.
        var work = await decode().ConfigureAwait(false);

        // Replays and refused input above cost no signing slot; everything below does, and is refused at once when none is free.
        using var slot = slots.Enter();

        // 3. Policy: a decision with the rule that made it; anything but Allow refuses.
        var signingRequest = new SigningRequest(requestId, caller.Principal, work.Wallet.WalletId, work.Chain, work.Intent,
            Convert.ToHexStringLower(work.PayloadDigest), clock.GetUtcNow()) { MessageNotes = work.MessageNotes };
        var admissionStarted = Stopwatch.GetTimestamp();
        var decision = await gate.AdmitAsync(signingRequest, cancellationToken).ConfigureAwait(false);
        metrics.Stage("admission", Stopwatch.GetElapsedTime(admissionStarted));
        metrics.PolicyDecided(decision.Outcome.ToString(), decision.Rule);

        // 4. Record the decision durably, before any signature exists (refusals too).
        var decisionSequence = await AppendAsync(Record(caller, signingRequest, work, decision, "decision")).ConfigureAwait(false);
        if (!decision.IsAllowed)
        {
            Log.PolicyRefused(logger, requestId, caller.Principal, work.Wallet.WalletId, decision.Outcome.ToString(), decision.Rule);
            throw Refusal(decision, signingRequest);
        }

        // 5. Sign along the HSM path. From here on the decision is on record: finish even if the
        //    caller gives up, so the log never holds an allowed request whose outcome is unknown.
        Signed<TReply> signed;
        try
        {
            var started = Stopwatch.GetTimestamp();
            using (var lease = await wallets.OpenKeysAsync(work.Wallet, work.Chain.Curve, CancellationToken.None).ConfigureAwait(false))
                signed = work.Sign(lease.Ring); // every signature is verified against its key before it returns
            metrics.Signed(Stopwatch.GetElapsedTime(started));
        }
        catch
        {
            // Nothing was signed: give back what the admission reserved (velocity budget, replay keys).
            await gate.ReleaseAsync(signingRequest, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        // 6. Record the result and, in the same commit, the reply retries will get; then reply.
        TReply? reply = default;
        var storedReply = IdempotencyStore.Reply(caller.Principal, requestId, fingerprint, clock.GetUtcNow(), result =>
        {
            reply = signed.Reply(new V1.AuditReceipt { DecisionSequence = (ulong)decisionSequence, ResultSequence = (ulong)result.Sequence }, decision.Rule);
            return reply.ToByteArray();
        });
        var resultSequence = await AppendAsync(Record(caller, signingRequest, work, decision, "result") with
        {
            ResultDigest = signed.ResultDigest,
            TxId = signed.TxId,
        }, storedReply).ConfigureAwait(false);
        Log.Signed(logger, requestId, caller.Principal, work.Wallet.WalletId, work.Chain.Id, signed.TxId, (ulong)decisionSequence, (ulong)resultSequence);
        return new Outcome<TReply>(reply!, Replayed: false);
    }

    private async Task<(WalletRecord Wallet, Chain Chain)> WalletAndChainAsync(string walletId, string chainId, CancellationToken cancellationToken)
    {
        var wallet = await wallets.GetAsync(walletId, cancellationToken).ConfigureAwait(false);
        var chain = ProtoMapping.ToChain(chainId);
        if (wallet.Kind == Storage.Wallets.WalletKind.HsmNative && wallet.Curve != chain.Curve) throw ApiException.WrongCurve(wallet.WalletId, chain.Id);
        return (wallet, chain);
    }

    /// <summary>
    /// Which key signs. Bitcoin-family PSBTs name their keys in their derivation fields; an account
    /// chain's key is the chain's default path at the caller's account and index; an HSM-native
    /// wallet has one key, at m.
    /// </summary>
    private static KeyPath? SignerPath(WalletRecord wallet, Chain chain, V1.Signer? signer)
    {
        var account = signer?.Account ?? 0;
        var index = signer?.Index ?? 0;
        if (wallet.Kind == Storage.Wallets.WalletKind.HsmNative)
        {
            if (account != 0 || index != 0) throw new InvalidInputException("signer", "an HSM-native wallet has one key: leave signer unset");
            return KeyPath.Root;
        }
        if (chain.Family == ChainFamily.Bitcoin)
        {
            if (account != 0 || index != 0) throw new InvalidInputException("signer", "a PSBT names its keys in its BIP32 derivations: leave signer unset");
            return null;
        }
        if (account >= KeyPath.HardenedBit) throw new InvalidInputException("signer.account", "must be below 2^31");
        if (index >= KeyPath.HardenedBit) throw new InvalidInputException("signer.index", "must be below 2^31");
        return DerivationScheme.Default(chain).AddressPath(index, account);
    }

    private async Task<long> AppendAsync(AuditRecord record, IAuditAttachment? attachment = null)
    {
        var started = Stopwatch.GetTimestamp();
        // The append cannot be called back once queued, so a cancelled caller waits for its commit too.
        var receipt = await audit.AppendAsync(record, attachment).ConfigureAwait(false);
        metrics.AuditWrite(Stopwatch.GetElapsedTime(started));
        return receipt.Sequence;
    }

    private static AuditRecord Record<TReply>(Caller caller, SigningRequest request, Work<TReply> work, PolicyDecision decision, string stage) => new()
    {
        Principal = caller.Principal,
        Action = (work.Intent is null ? "sign-message." : "sign.") + stage,
        WalletId = request.WalletId,
        Chain = work.Chain.Id,
        RequestDigest = work.PayloadDigest,
        Decision = decision.Outcome,
        Rule = decision.Rule,
        Details = stage == "decision"
            ? new Dictionary<string, string>
            {
                ["request_id"] = request.RequestId,
                ["policy_version"] = decision.PolicyVersion.ToString(CultureInfo.InvariantCulture),
                ["reason"] = decision.Reason,
            }
            : new Dictionary<string, string> { ["request_id"] = request.RequestId },
    };

    private static ApiException Refusal(PolicyDecision decision, SigningRequest request)
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
                    ["request_digest"] = RequestDigest.Compute(request),
                }),
            PolicyOutcome.Failed => new ApiException(StatusCode.Unavailable, "POLICY_FAILED", decision.Reason, metadata),
            _ => new ApiException(StatusCode.PermissionDenied, "POLICY_DENIED", decision.Reason, metadata),
        };
    }
}
