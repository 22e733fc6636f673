namespace Custody.Hsm.Tests;

/// <summary>
/// Wrong PINs only ever go to a throwaway token of their own. SoftHSM 2.6.1 counts failures
/// (CKF_USER_PIN_COUNT_LOW) but never locks; a real HSM would, so the main token never sees one.
/// </summary>
[Collection(HsmCollection.Name)]
public class PinTests(SoftHsmFixture fixture)
{
    private const string Label = "custody-pins";
    private static readonly Lock s_provision = new();

    [Fact]
    public void A_wrong_PIN_gives_a_clear_error_that_does_not_contain_either_PIN()
    {
        EnsureToken();
        var wrong = SoftHsmFixture.RandomPin();
        var e = Assert.Throws<HsmException>(() => HsmConnection.Open(fixture.Options(Label, fixture.WritePin("wrong.pin", wrong))));
        Assert.Equal(HsmError.PinIncorrect, e.Error);
        Assert.Contains("PIN incorrect", e.Message, StringComparison.Ordinal);
        Assert.Contains("wrong.pin", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(File.ReadAllText(Path.Combine(fixture.Root, "user.pin")), e.ToString(), StringComparison.Ordinal);

        using var right = HsmConnection.Open(fixture.Options(Label)); // the token is not locked
        Assert.Equal(16, right.Random.GetBytes(16).Length);
    }

    [Fact]
    public void The_PIN_can_come_from_the_environment_or_a_file_with_a_trailing_newline()
    {
        EnsureToken();
        var pin = File.ReadAllText(Path.Combine(fixture.Root, "user.pin"));
        using (HsmConnection.Open(fixture.Options(Label, fixture.WritePin("newline.pin", pin + "\n"))))
        {
        }
        Environment.SetEnvironmentVariable("CUSTODY_TEST_USER_PIN", pin);
        try
        {
            using var hsm = HsmConnection.Open(fixture.Options(Label, PinSource.FromEnvironment("CUSTODY_TEST_USER_PIN")));
            Assert.Equal(4, hsm.Random.GetBytes(4).Length);
        }
        finally
        {
            Environment.SetEnvironmentVariable("CUSTODY_TEST_USER_PIN", null);
        }
    }

    [Fact]
    public void Unusable_PIN_sources_are_configuration_errors_that_never_reach_the_token()
    {
        EnsureToken();
        var groupReadable = fixture.WritePin("group.pin", "12345678");
        File.SetUnixFileMode(Path.Combine(fixture.Root, "group.pin"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        AssertConfiguration(groupReadable, "chmod 600");
        AssertConfiguration(PinSource.FromFile(Path.Combine(fixture.Root, "missing.pin")), "does not exist");
        AssertConfiguration(fixture.WritePin("empty.pin", ""), "is empty");
        AssertConfiguration(fixture.WritePin("long.pin", new string('1', 300)), "longer than");
        AssertConfiguration(PinSource.FromEnvironment("CUSTODY_TEST_UNSET_PIN"), "is not set");
        Assert.Equal("environment variable CUSTODY_TEST_UNSET_PIN", PinSource.FromEnvironment("CUSTODY_TEST_UNSET_PIN").ToString());
    }

    private void AssertConfiguration(PinSource pin, string expected)
    {
        var e = Assert.Throws<HsmException>(() => HsmConnection.Open(fixture.Options(Label, pin)));
        Assert.Equal(HsmError.Configuration, e.Error);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    private void EnsureToken()
    {
        lock (s_provision)
            HsmProvisioning.InitializeTokenIfMissing(fixture.Options(Label), fixture.SoPin);
    }
}
