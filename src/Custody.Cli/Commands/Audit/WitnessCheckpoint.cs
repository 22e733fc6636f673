using System.Net;
using Custody.Core.Audit.Notes;
using Custody.Storage.Witness;

namespace Custody.Cli.Audit;

/// <summary>The newest checkpoint a witness holds: GET {url}/checkpoint of a witness service, or the last line of a witness file.</summary>
internal static class WitnessCheckpoint
{
    public static async Task<string> ReadAsync(string witness, NoteVerifierKey logKey)
    {
        string? note;
        if (Uri.TryCreate(witness, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            try
            {
                using var response = await http.GetAsync(new Uri(new Uri(witness.TrimEnd('/') + "/"), "checkpoint")).ConfigureAwait(false);
                note = response.StatusCode == HttpStatusCode.NotFound ? null
                    : response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync().ConfigureAwait(false)
                    : throw new CliException($"witness {witness}: {(int)response.StatusCode} {response.ReasonPhrase}");
            }
            catch (HttpRequestException e)
            {
                throw new CliException($"witness {witness}: {e.Message}");
            }
        }
        else
        {
            if (!File.Exists(witness)) throw new CliException($"witness file {witness} does not exist");
            note = new WitnessFile(witness, logKey).LatestNote();
        }
        return note ?? throw new CliException($"witness {witness} holds no checkpoint of this log yet: it vouches for nothing");
    }
}
