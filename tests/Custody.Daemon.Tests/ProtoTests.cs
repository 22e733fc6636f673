namespace Custody.Daemon.Tests;

public class ProtoTests
{
    [Fact]
    public void Contract_compiles_into_a_client() =>
        Assert.Equal("custody.v1.Probe", Custody.V1.Probe.Descriptor.FullName);
}
