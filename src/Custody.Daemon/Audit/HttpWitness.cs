using System.Globalization;
using System.Net;
using System.Text;
using Custody.Core.Audit.Notes;
using Custody.Core.Audit.Witness;

namespace Custody.Daemon.Audit;

/// <summary>
/// A C2SP tlog-witness service: <c>POST {prefix}/add-checkpoint</c>. A 200 answer carries the
/// witness's cosignature lines; when the witness's key is configured, one of them must verify over
/// the checkpoint, or the answer counts as not given (a proxy or an impostor cannot vouch).
/// </summary>
public sealed class HttpWitness(Uri prefix, NoteVerifierKey? key, HttpClient http) : IWitness
{
    public const string SizeContentType = "text/x.tlog.size";

    private readonly Uri _addCheckpoint = new(new Uri(prefix.ToString().TrimEnd('/') + "/"), "add-checkpoint");

    public string Name { get; } = prefix.ToString();

    public async Task<(WitnessVerdict Verdict, long HeldSize, string Reason)> AddCheckpointAsync(AddCheckpointRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var content = new StringContent(request.ToString(), Encoding.UTF8, "text/plain");
        using var response = await http.PostAsync(_addCheckpoint, content, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        switch (response.StatusCode)
        {
            case HttpStatusCode.OK:
                if (key is not null && !Cosigned(request.Note, body))
                    throw new HttpRequestException($"the answer carries no cosignature of {key.Name}+{key.KeyId:x8}");
                return (WitnessVerdict.Accepted, 0, "");
            case HttpStatusCode.Conflict when response.Content.Headers.ContentType?.MediaType == SizeContentType:
                return long.TryParse(body.TrimEnd('\n'), NumberStyles.None, CultureInfo.InvariantCulture, out var held)
                    ? (WitnessVerdict.Conflict, held, $"the witness holds a checkpoint of size {held}")
                    : throw new HttpRequestException($"409 with a size that is not a number");
            case HttpStatusCode.Conflict:
                return (WitnessVerdict.Conflict, request.OldSize, Reason(body, "another root for the size the witness holds"));
            case HttpStatusCode.UnprocessableEntity:
                return (WitnessVerdict.Inconsistent, request.OldSize, Reason(body, "the consistency proof does not verify"));
            default:
                // 400, 403, 404 say the witness is not set up for this log (its key, its origin): it is not vouching.
                throw new HttpRequestException($"{(int)response.StatusCode} {response.ReasonPhrase}: {Reason(body, "")}");
        }
    }

    private bool Cosigned(string note, string signatureLines)
    {
        try
        {
            return SignedNote.Parse(note.TrimEnd('\n') + "\n" + signatureLines).Check(key!) == NoteSignatureStatus.Valid;
        }
        catch (Core.InvalidInputException)
        {
            return false;
        }
    }

    private static string Reason(string body, string otherwise)
    {
        var line = body.Split('\n', 2)[0].Trim();
        return line.Length is > 0 and <= 300 ? line : otherwise;
    }
}
