using System.Globalization;
using Custody.Core;
using Custody.Daemon.Errors;
using Custody.Core.Ledger;
using Google.Protobuf.Reflection;

namespace Custody.Daemon.Auth;

/// <summary>
/// Finds the wallet a call touches by its method's <see cref="ScopeRule"/> and checks it against a
/// wallet-scoped token. Objects named by another key (a parked request by its digest, an audit
/// record by its sequence) are looked up here, for scoped tokens only; the refusal then does not
/// say which wallet the object belongs to (the audit record of the refusal does).
/// </summary>
public sealed class ScopeCheck(ILedger ledger)
{
    /// <summary>The request field a rule reads, and its proto type; null for rules that read none.</summary>
    public static (string Name, FieldType Type)? FieldOf(ScopeRule rule) => rule switch
    {
        ScopeRule.RequestWallet => ("wallet_id", FieldType.String),
        ScopeRule.ParkedRequestWallet => ("request_digest", FieldType.String),
        ScopeRule.AuditRecordWallet => ("sequence", FieldType.UInt64),
        _ => null,
    };

    /// <summary>Null when <paramref name="scope"/> allows the call; otherwise why not.</summary>
    public async ValueTask<ScopeRefusal?> RefusalAsync(ScopeRule rule, WalletScope scope, object? request, CancellationToken cancellationToken)
    {
        if (scope.IsAll) return null;
        switch (rule)
        {
            case ScopeRule.None or ScopeRule.ListedWallets:
                return null;
            case ScopeRule.Unscoped:
                return Global();
            case ScopeRule.RequestWallet:
            {
                var walletId = Read<string>(rule, request);
                if (walletId.Length == 0) return Global();
                return scope.Allows(walletId) ? null : new ScopeRefusal(ApiException.NotInScope(walletId), walletId);
            }
            case ScopeRule.ParkedRequestWallet:
            {
                var digest = Read<string>(rule, request);
                var pending = await ledger.Policy.GetPendingAsync(digest, cancellationToken).ConfigureAwait(false)
                    ?? throw ApiException.NotFound("parked request", digest);
                return scope.Allows(pending.WalletId) ? null : new ScopeRefusal(ApiException.NotInScope("parked request", digest), pending.WalletId);
            }
            case ScopeRule.AuditRecordWallet:
            {
                var sequence = Read<ulong>(rule, request);
                var record = (sequence <= long.MaxValue ? await ledger.Audit.GetAsync((long)sequence, cancellationToken).ConfigureAwait(false) : null)
                    ?? throw new InvalidInputException("sequence", $"no record {sequence}");
                return record.WalletId is { } walletId && scope.Allows(walletId)
                    ? null
                    : new ScopeRefusal(ApiException.NotInScope("audit record", sequence.ToString(CultureInfo.InvariantCulture)), record.WalletId);
            }
            default:
                throw new InvalidOperationException($"no check for scope rule {rule}");
        }
    }

    private static T Read<T>(ScopeRule rule, object? request) => RequestFields.Get<T>(request, FieldOf(rule)!.Value.Name);

    private static ScopeRefusal Global() => new(ApiException.GlobalScope(), null);
}
