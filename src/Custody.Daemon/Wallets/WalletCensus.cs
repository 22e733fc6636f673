using System.Globalization;
using System.Text;
using Custody.Core.Ledger;

namespace Custody.Daemon.Wallets;

/// <summary>
/// The wallets by kind and backup state, as a Prometheus gauge read from the ledger at each scrape
/// (ceremonies add wallets from another process): an alert on backup="none" finds every wallet
/// whose funds are lost with the HSM or the ledger.
/// </summary>
public static class WalletCensus
{
    public const string Metric = "custody_wallets";

    public static async Task<string> RenderAsync(ILedger ledger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        var text = new StringBuilder();
        text.Append("# HELP ").Append(Metric).Append(" Wallets by kind and backup state (none: no copy of the keys outside the HSM and the ledger).\n");
        text.Append("# TYPE ").Append(Metric).Append(" gauge\n");
        foreach (var count in await ledger.Wallets.CountAsync(cancellationToken).ConfigureAwait(false))
        {
            text.Append(Metric).Append("{kind=\"").Append(count.Kind == WalletKind.Hd ? "hd" : "hsm-native")
                .Append("\",backup=\"").Append(WalletBackups.Text(count.Backup)).Append("\"} ")
                .Append(count.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        return text.ToString();
    }
}
