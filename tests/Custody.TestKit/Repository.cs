namespace Custody.TestKit;

/// <summary>The checkout the tests were built from: its docs, scripts and packaging files.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    public static string File(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Custody.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Custody.sln not found above the test output directory");
    }
}
