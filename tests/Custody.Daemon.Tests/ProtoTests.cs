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
}
