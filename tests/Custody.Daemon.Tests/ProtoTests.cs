using System.Text.RegularExpressions;
using Google.Protobuf.Reflection;

namespace Custody.Daemon.Tests;

public class ProtoTests
{
    private static readonly ServiceDescriptor[] Services =
    [
        Custody.V1.SystemService.Descriptor,
        Custody.V1.WalletService.Descriptor,
        Custody.V1.SigningService.Descriptor,
        Custody.V1.AuditService.Descriptor,
        Custody.V1.PolicyService.Descriptor,
    ];

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
