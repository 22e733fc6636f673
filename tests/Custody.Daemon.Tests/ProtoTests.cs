using System.Text.RegularExpressions;
using Google.Protobuf.Reflection;

namespace Custody.Daemon.Tests;

public class ProtoTests
{
    /// <summary>
    /// Every service compiled into the contract assembly, found through the file descriptors protoc
    /// generates (one static *Reflection class per .proto file), so a new service cannot be left out.
    /// </summary>
    private static readonly ServiceDescriptor[] Services = typeof(Custody.V1.SigningService).Assembly.GetTypes()
        .Select(t => t.GetProperty("Descriptor", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
        .Select(p => p?.GetValue(null))
        .OfType<FileDescriptor>()
        .SelectMany(f => f.Services)
        .ToArray();

    [Fact]
    public void The_services_are_found_in_the_contract_assembly()
    {
        Assert.Contains(Services, s => s.FullName == "custody.v1.SigningService");
        Assert.True(Services.Length >= 5, $"{Services.Length} services found");
        Assert.Equal(Services.Length, Services.Select(s => s.FullName).Distinct().Count());
    }

    [Fact]
    public void Contract_lives_in_package_custody_v1() =>
        Assert.All(Services, s => Assert.Equal("custody.v1", s.File.Package));

    /// <summary>The proto files are copied beside the tests (the project file says so).</summary>
    [Fact]
    public void Every_rpc_comment_says_who_may_call_it_and_its_scope_rule()
    {
        var rpcs = new List<string>();
        var undocumented = new List<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "proto", "custody", "v1"), "*.proto"))
        {
            var comment = new List<string>();
            foreach (var line in File.ReadLines(file).Select(l => l.Trim()))
            {
                if (line.StartsWith("//", StringComparison.Ordinal))
                {
                    comment.Add(line);
                    continue;
                }
                if (Regex.Match(line, @"^rpc (\w+)\(") is { Success: true } rpc)
                {
                    rpcs.Add(rpc.Groups[1].Value);
                    var text = string.Join(" ", comment);
                    if (!Regex.IsMatch(text, @"\bRoles?: ") || !text.Contains("Scope: ", StringComparison.Ordinal)) undocumented.Add(rpc.Groups[1].Value);
                }
                comment.Clear();
            }
        }
        Assert.Equal(Services.SelectMany(s => s.Methods).Select(m => m.Name).Order(StringComparer.Ordinal), rpcs.Order(StringComparer.Ordinal));
        Assert.True(undocumented.Count == 0, "no \"Role(s): ...\" and \"Scope: ...\" in the comment of " + string.Join(", ", undocumented));
    }
}
