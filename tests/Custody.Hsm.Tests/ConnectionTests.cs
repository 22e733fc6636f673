namespace Custody.Hsm.Tests;

[Collection(HsmCollection.Name)]
public class ConnectionTests(SoftHsmFixture fixture)
{
    [Fact]
    public void A_missing_token_is_reported_as_unavailable_by_label()
    {
        var e = Assert.Throws<HsmUnavailableException>(() => HsmConnection.Open(fixture.Options("custody-no-such-token")));
        Assert.Contains("no token labelled 'custody-no-such-token'", e.Message, StringComparison.Ordinal);
        Assert.Equal(8, fixture.Hsm.Random.GetBytes(8).Length); // and the module still serves the main token
    }

    [Fact]
    public void One_module_and_one_configuration_per_process()
    {
        var otherModule = Assert.Throws<HsmException>(() => HsmConnection.Open(fixture.Options(SoftHsmFixture.MainLabel) with { ModulePath = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so" }));
        Assert.Equal(HsmError.Configuration, otherModule.Error);
        Assert.Contains("one module per process", otherModule.Message, StringComparison.Ordinal);

        var otherConfig = Path.Combine(fixture.Root, "other.conf");
        File.Copy(fixture.ConfigPath, otherConfig);
        var e = Assert.Throws<HsmException>(() => HsmConnection.Open(fixture.Options(SoftHsmFixture.MainLabel) with { SoftHsmConfigPath = otherConfig }));
        Assert.Contains("one configuration per process", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Provisioning_leaves_an_existing_token_alone()
    {
        Assert.False(HsmProvisioning.InitializeTokenIfMissing(fixture.Options(SoftHsmFixture.MainLabel), fixture.SoPin));
    }

    [Fact]
    public void Bad_options_are_refused_before_anything_loads()
    {
        Assert.Equal(HsmError.Configuration, Assert.Throws<HsmException>(() => HsmConnection.Open(fixture.Options(new string('x', 33)))).Error);
        Assert.Equal(HsmError.Configuration, Assert.Throws<HsmException>(() => HsmConnection.Open(fixture.Options("x") with { MaxSessions = 0 })).Error);
    }

    [Fact]
    public void Connections_describe_themselves_without_secrets()
    {
        Assert.Equal($"HsmConnection(token '{SoftHsmFixture.MainLabel}' on {HsmOptions.SoftHsmModulePath})", fixture.Hsm.ToString());
        Assert.StartsWith("PIN file ", fixture.UserPin.ToString(), StringComparison.Ordinal);
    }
}
