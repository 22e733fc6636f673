namespace Custody.Hsm.Tests;

/// <summary>The HSM tests share one SoftHSM token (the module loads once per process).</summary>
[CollectionDefinition(Name)]
public sealed class HsmCollection : ICollectionFixture<SoftHsmFixture>
{
    public const string Name = "SoftHSM";
}
