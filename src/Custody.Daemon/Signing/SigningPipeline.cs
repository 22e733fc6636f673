using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Custody.Core;
using Custody.Core.Audit;
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
using AuditRecord = Custody.Core.Audit.AuditRecord;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Custody.Daemon.Signing;

/// <summary>
/// The signing path, top to bottom (DESIGN.md "Signing path"): the caller is already
/// authenticated; then idempotency, decoding, the policy, a durable audit record of the
/// decision, the signature, a durable record of the result, the stored reply.
/// </summary>
public sealed class SigningPipeline(
    IdempotencyStore idempotency,
    InFlightRequests inFlight,
    SigningSlots slots,
    WalletDirectory wallets,
    WalletKeys keys,
    ISigningGate gate,
    AuditLog audit,
    DaemonMetrics metrics,
    TimeProvider clock,
    ILogger<SigningPipeline> logger)
{
    /// <summary>The reply, and whether it is a stored one (a retry) rather than a new signature.</summary>
    public sealed record Outcome(SignTransactionResponse Reply, bool Replayed);

    public async Task<Outcome> SignTransactionAsync(Caller caller, SignTransactionRequest request, CancellationToken cancellationToken)
    {
        // 1. Idempotency: the same id and request → the stored reply; the same id, another request → refused.
        RequestFingerprint.ValidateRequestId(request.RequestId);
        var fingerprint = RequestFingerprint.Of(request, r => r.RequestId = "");
        using var claim = inFlight.Enter(caller.Principal, request.RequestId);
        var stored = await idempotency.FindAsync(caller.Principal, request.RequestId, cancellationToken).ConfigureAwait(false);
        if (stored is not null)
        {
            if (!CryptographicOperations.FixedTimeEquals(stored.RequestDigest, fingerprint))
            {
                Log.RequestIdReused(logger, request.RequestId, caller.Principal);
                throw ApiException.RequestIdReused(request.RequestId);
            }
            Log.Replayed(logger, request.RequestId, caller.Principal);
            return new Outcome(SignTransactionResponse.Parser.ParseFrom(stored.Reply), Replayed: true);
        }

        // Replays above cost no signing slot; everything below does, and is refused at once when none is free.
        using var slot = slots.Enter();

        // 2. Decode: refuse what cannot be explained.
        var wallet = await wallets.GetAsync(request.WalletId, cancellationToken).ConfigureAwait(false);
        var chain = ProtoMapping.ToChain(request.Chain);
        if (wallet.Kind == Storage.Wallets.WalletKind.HsmNative && wallet.Curve != chain.Curve) throw ApiException.WrongCurve(wallet.WalletId, chain.Id);
        var codec = TransactionCodecs.For(chain);
        var payload = codec.ParsePayload(request.Payload);
        var intent = codec.Decode(payload);
        var signerPath = SignerPath(wallet, chain, request.Signer);
        var payloadDigest = SHA256.HashData(payload);

        // 3. Policy: a decision with the rule that made it; anything but Allow refuses.
        var signingRequest = new SigningRequest(request.RequestId, caller.Principal, wallet.WalletId, chain, intent,
            Convert.ToHexStringLower(payloadDigest), clock.GetUtcNow());
        var decision = await gate.AdmitAsync(signingRequest, cancellationToken).ConfigureAwait(false);
        metrics.PolicyDecided(decision.Outcome.ToString(), decision.Rule);

        // 4. Record the decision durably, before any signature exists (refusals too).
        var decisionSequence = await AppendAsync(DecisionRecord(caller, request, chain, payloadDigest, decision)).ConfigureAwait(false);
        if (!decision.IsAllowed)
        {
            Log.PolicyRefused(logger, request.RequestId, caller.Principal, wallet.WalletId, decision.Outcome.ToString(), decision.Rule);
            throw Refusal(decision);
        }

        // 5. Sign along the HSM path. From here on the decision is on record: finish even if the
        //    caller gives up, so the log never holds an allowed request whose outcome is unknown.
        SignedTransaction signed;
        var started = Stopwatch.GetTimestamp();
        using (var lease = keys.Open(wallet, chain.Curve))
            signed = codec.Sign(payload, lease.Ring, signerPath); // every signature is verified against its key before it returns
        metrics.Signed(Stopwatch.GetElapsedTime(started));

        // 6. Record the result, store the reply for retries, reply.
        var resultSequence = await AppendAsync(ResultRecord(caller, request, chain, payloadDigest, decision, signed)).ConfigureAwait(false);
        var reply = new SignTransactionResponse
        {
            RequestId = request.RequestId,
            SignedPayload = signed.Payload,
            TxId = signed.TxId,
            Intent = ProtoMapping.ToProto(signed.Intent),
            Audit = new V1.AuditReceipt { DecisionSequence = (ulong)decisionSequence, ResultSequence = (ulong)resultSequence },
            PolicyRule = decision.Rule,
            PayloadDigest = signingRequest.PayloadDigest,
        };
        await idempotency.SaveAsync(caller.Principal, request.RequestId, fingerprint, Google.Protobuf.MessageExtensions.ToByteArray(reply))
            .ConfigureAwait(false);
        Log.Signed(logger, request.RequestId, caller.Principal, wallet.WalletId, chain.Id, signed.TxId, reply.Audit.DecisionSequence, reply.Audit.ResultSequence);
        return new Outcome(reply, Replayed: false);
    }

    /// <summary>
    /// Which key signs. Bitcoin-family PSBTs name their keys in their derivation fields; an account
    /// chain's key is the chain's default path at the caller's account and index; an HSM-native
    /// wallet has one key, at m.
    /// </summary>
    private static KeyPath? SignerPath(WalletRecord wallet, Chain chain, Signer? signer)
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

    private async Task<long> AppendAsync(AuditRecord record)
    {
        var started = Stopwatch.GetTimestamp();
        // The append cannot be called back once queued, so a cancelled caller waits for its commit too.
        var receipt = await audit.AppendAsync(record).ConfigureAwait(false);
        metrics.AuditWrite(Stopwatch.GetElapsedTime(started));
        return receipt.Sequence;
    }

    private static AuditRecord DecisionRecord(Caller caller, SignTransactionRequest request, Chain chain, byte[] payloadDigest, PolicyDecision decision) => new()
    {
        Principal = caller.Principal,
        Action = "sign.decision",
        WalletId = request.WalletId,
        Chain = chain.Id,
        RequestDigest = payloadDigest,
        Decision = decision.Outcome,
        Rule = decision.Rule,
        Details = new Dictionary<string, string>
        {
            ["request_id"] = request.RequestId,
            ["policy_version"] = decision.PolicyVersion.ToString(CultureInfo.InvariantCulture),
            ["reason"] = decision.Reason,
        },
    };

    private static AuditRecord ResultRecord(Caller caller, SignTransactionRequest request, Chain chain, byte[] payloadDigest, PolicyDecision decision, SignedTransaction signed) => new()
    {
        Principal = caller.Principal,
        Action = "sign.result",
        WalletId = request.WalletId,
        Chain = chain.Id,
        RequestDigest = payloadDigest,
        Decision = decision.Outcome,
        Rule = decision.Rule,
        ResultDigest = SHA256.HashData(Encoding.UTF8.GetBytes(signed.Payload)),
        TxId = signed.TxId,
        Details = new Dictionary<string, string> { ["request_id"] = request.RequestId },
    };

    private static ApiException Refusal(PolicyDecision decision)
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
                new Dictionary<string, string>(metadata) { ["approvals_required"] = decision.ApprovalsRequired.ToString(CultureInfo.InvariantCulture) }),
            PolicyOutcome.Failed => new ApiException(StatusCode.Unavailable, "POLICY_FAILED", decision.Reason, metadata),
            _ => new ApiException(StatusCode.PermissionDenied, "POLICY_DENIED", decision.Reason, metadata),
        };
    }
}
