using Custody.Daemon.Auth;
using Custody.Core.Ledger;
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
    public void Every_rpc_of_the_contract_has_a_permission_entry()
    {
        // A method missing from RpcPermissions is refused to everyone: this catches the omission early.
        var missing = Services.SelectMany(s => s.Methods)
            .Select(m => $"/{m.Service.FullName}/{m.Name}")
            .Where(m => RpcPermissions.Required(m) == Roles.None)
            .ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void Every_permission_entry_names_a_real_method()
    {
        var known = Services.SelectMany(s => s.Methods).Select(m => $"/{m.Service.FullName}/{m.Name}").ToHashSet();
        var stale = RpcPermissions.Methods.Where(m => !m.Contains("grpc.reflection", StringComparison.Ordinal) && !known.Contains(m));
        Assert.Empty(stale);
    }

    [Fact]
    public void Contract_lives_in_package_custody_v1() =>
        Assert.All(Services, s => Assert.Equal("custody.v1", s.File.Package));
}
