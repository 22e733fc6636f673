namespace Custody.Storage.Tests;

public class StorageAssemblyTests
{
    [Fact]
    public void Storage_assembly_loads() =>
        Assert.Equal("Custody.Storage", typeof(Custody.Storage.StorageAssemblyMarker).Assembly.GetName().Name);
}
