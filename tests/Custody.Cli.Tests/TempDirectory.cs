namespace Custody.Cli.Tests;

internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("custody-cli-tests-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
