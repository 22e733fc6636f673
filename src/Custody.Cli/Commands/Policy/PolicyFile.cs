namespace Custody.Cli.Policy;

/// <summary>Reads a policy document for apply / diff, bounded like the daemon's limit.</summary>
internal static class PolicyFile
{
    private const int MaxBytes = 4 * 1024 * 1024;

    public static string Read(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists) throw new CliException($"policy file '{path}' does not exist");
        if (file.Length > MaxBytes) throw new CliException($"policy file '{path}' is larger than the daemon's 4 MiB limit");
        return File.ReadAllText(path);
    }
}
