using System.Globalization;

namespace Custody.Daemon.Tests;

internal static class Metrics
{
    /// <summary>The value of one sample line of a Prometheus text page, or 0 when it is absent.</summary>
    public static double Sample(string page, string nameWithLabels)
    {
        foreach (var line in page.Split('\n'))
        {
            if (line.StartsWith(nameWithLabels + " ", StringComparison.Ordinal))
                return double.Parse(line[(nameWithLabels.Length + 1)..], CultureInfo.InvariantCulture);
        }
        return 0;
    }

    public static async Task<double> UnsealsAsync(DaemonFixture daemon) =>
        Sample(await daemon.MetricsAsync(), "custody_hsm_operation_duration_seconds_count{operation=\"unseal\"}");

    /// <summary>Signatures the signing pipeline made (HD or HSM-native).</summary>
    public static async Task<double> SignaturesAsync(DaemonFixture daemon) =>
        Sample(await daemon.MetricsAsync(), "custody_signing_duration_seconds_count");
}
