using System.Text;
using System.Text.Json;
using Custody.Core;
using Custody.Core.Audit.Notes;
using Custody.Core.Audit.Witness;

namespace Custody.Storage.Witness;

/// <summary>
/// A witness in a file: every checkpoint it accepted, appended as one JSON line (<c>{"note": …}</c>),
/// the newest last. Before appending it decides as a C2SP tlog-witness does (<see cref="WitnessRules"/>)
/// against the newest line, under an exclusive lock of the file, and syncs the line to disk before it
/// answers. The simple witness of one installation (a file on another mount) and the state of the
/// reference witness service alike. Lines are never rewritten: the file is the history it vouched for.
/// </summary>
public sealed class WitnessFile(string path, NoteVerifierKey logKey)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>The newest checkpoint note the file holds, or null when it holds none (or does not exist).</summary>
    public string? LatestNote()
    {
        if (!File.Exists(Path)) return null;
        using var stream = Open(FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return Latest(stream);
    }

    /// <summary>Decides on an add-checkpoint request and, when accepted, appends the checkpoint; returns the verdict and the size held after it.</summary>
    public (WitnessVerdict Verdict, long HeldSize, string Reason) Add(AddCheckpointRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // One writer at a time, across processes: the check and the append are one step (the protocol's race).
        using var stream = Open(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var held = Latest(stream) is { } note ? Checkpoint.ParseBody(SignedNote.Parse(note).Text) : null;
        var (verdict, checkpoint, reason) = WitnessRules.Judge(logKey, held, request);
        if (verdict != WitnessVerdict.Accepted) return (verdict, held?.Size ?? 0, reason);
        if (held is null || held.Size < checkpoint!.Size)
        {
            stream.Seek(0, SeekOrigin.End);
            stream.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Line(request.Note)) + "\n"));
            stream.Flush(flushToDisk: true);
        }
        return (verdict, checkpoint!.Size, "");
    }

    private FileStream Open(FileMode mode, FileAccess access, FileShare share)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share };
        if (!OperatingSystem.IsWindows() && mode != FileMode.Open) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        return new FileStream(Path, options);
    }

    /// <summary>The last line's note: read backwards from the end, so a long history costs nothing.</summary>
    private string? Latest(FileStream stream)
    {
        var length = stream.Length;
        if (length == 0) return null;
        var tail = new List<byte>();
        var buffer = new byte[4096];
        var position = length;
        // Skip the final newline, then collect bytes back to the previous one.
        var skippedNewline = false;
        while (position > 0)
        {
            var chunk = (int)Math.Min(buffer.Length, position);
            position -= chunk;
            stream.Seek(position, SeekOrigin.Begin);
            stream.ReadExactly(buffer, 0, chunk);
            for (var i = chunk - 1; i >= 0; i--)
            {
                if (buffer[i] == (byte)'\n')
                {
                    if (!skippedNewline && tail.Count == 0) { skippedNewline = true; continue; }
                    position = 0;
                    break;
                }
                tail.Add(buffer[i]);
            }
        }
        tail.Reverse();
        try
        {
            return JsonSerializer.Deserialize<Line>(tail.ToArray())?.Note ?? throw new JsonException("no note");
        }
        catch (JsonException e)
        {
            throw new InvalidInputException("witness_file", $"{Path}: the last line is not a checkpoint ({e.Message}); the file was edited or cut");
        }
    }

    private sealed record Line(string Note)
    {
        [System.Text.Json.Serialization.JsonPropertyName("note")]
        public string Note { get; init; } = Note;
    }
}
