using Custody.Core;
using Custody.Hsm.Pkcs11;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Custody.Hsm.Tests;

[Collection(HsmCollection.Name)]
public class KeyEncryptionKeyTests(SoftHsmFixture fixture)
{
    [Fact]
    public void Ensure_creates_once_then_finds()
    {
        fixture.Hsm.Keks.Ensure(1);
        Assert.False(fixture.Hsm.Keks.Ensure(1));
        Assert.True(fixture.Hsm.Keks.Exists(1));
        Assert.Contains(1, fixture.Hsm.Keks.Versions());
    }

    [Fact]
    public void The_KEK_is_a_sensitive_never_extractable_token_key_whose_value_cannot_be_read()
    {
        fixture.Hsm.Keks.Ensure(1);
        var protection = fixture.Hsm.KekStore.Describe(1);
        Assert.True(protection.Token);
        Assert.True(protection.Sensitive);
        Assert.False(protection.Extractable);
        Assert.True(protection.AlwaysSensitive);
        Assert.True(protection.NeverExtractable);
        Assert.True(protection.Local);
        Assert.False(protection.ValueReadable); // C_GetAttributeValue(CKA_VALUE) was refused
    }

    [Fact]
    public void A_key_whose_value_the_token_would_give_out_is_reported_readable_without_its_value_being_fetched()
    {
        var protection = fixture.Hsm.Pool.Execute("weak key", s =>
        {
            List<IObjectAttribute> template =
            [
                s.Attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
                s.Attributes.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
                s.Attributes.Create(CKA.CKA_VALUE_LEN, 32UL),
                s.Attributes.Create(CKA.CKA_TOKEN, false),
                s.Attributes.Create(CKA.CKA_SENSITIVE, false),
                s.Attributes.Create(CKA.CKA_EXTRACTABLE, true),
            ];
            using var mechanism = s.Mechanism(CKM.CKM_AES_KEY_GEN);
            var key = s.Session.GenerateKey(mechanism, template);
            TokenSession.DisposeAll(template);
            try
            {
                return ObjectProtection.Read(s, key);
            }
            finally
            {
                s.Session.DestroyObject(key);
            }
        });
        Assert.False(protection.Sensitive);
        Assert.True(protection.ValueReadable);
    }

    [Fact]
    public void Versions_are_independent_and_can_be_destroyed()
    {
        Assert.True(fixture.Hsm.Keks.Ensure(7));
        var blob = fixture.Hsm.CreateSealer(7).Seal([1, 2, 3], "w"u8);
        Assert.Contains(7, fixture.Hsm.Keks.Versions());

        Assert.True(fixture.Hsm.Keks.Destroy(7));
        Assert.False(fixture.Hsm.Keks.Exists(7));
        Assert.False(fixture.Hsm.Keks.Destroy(7));
        Assert.DoesNotContain(7, fixture.Hsm.Keks.Versions());
        var e = Assert.Throws<HsmException>(() => fixture.Hsm.CreateSealer(1).Unseal(blob, "w"u8));
        Assert.Equal(HsmError.KeyNotFound, e.Error);
        Assert.Contains("KEK v7", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sealing_under_a_missing_version_or_a_bad_version_number_is_refused()
    {
        Assert.Equal(HsmError.KeyNotFound, Assert.Throws<HsmException>(() => fixture.Hsm.CreateSealer(4242)).Error);
        Assert.Equal("kekVersion", Assert.Throws<InvalidInputException>(() => fixture.Hsm.Keks.Ensure(0)).Field);
    }

    [Fact]
    public void A_cached_handle_that_went_stale_is_found_again()
    {
        // Two connections to one token: the second replaces KEK v3 behind the first one's handle cache.
        using var other = HsmConnection.Open(fixture.Options(SoftHsmFixture.MainLabel));
        fixture.Hsm.Keks.Ensure(3);
        var sealer = fixture.Hsm.CreateSealer(3);
        sealer.Seal([1], "a"u8); // caches the handle of KEK v3

        Assert.True(other.Keks.Destroy(3));
        Assert.True(other.Keks.Ensure(3));
        var blob = other.CreateSealer(3).Seal([4, 5, 6], "a"u8);

        using var opened = sealer.Unseal(blob, "a"u8); // CKR_OBJECT_HANDLE_INVALID → search again → the new KEK
        Assert.Equal([4, 5, 6], opened.Span.ToArray());
        Assert.True(fixture.Hsm.Keks.Destroy(3));
    }
}
