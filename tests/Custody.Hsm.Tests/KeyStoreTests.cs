using Custody.Core;
using Custody.Core.Chains;

namespace Custody.Hsm.Tests;

[Collection(HsmCollection.Name)]
public class KeyStoreTests(SoftHsmFixture fixture)
{
    [Fact]
    public void Lists_and_destroys_keys_by_id()
    {
        var k1 = fixture.Hsm.Keys.Generate(KeyCurve.Secp256k1);
        var ed = fixture.Hsm.Keys.Generate(KeyCurve.Ed25519);

        var listed = fixture.Hsm.Keys.List();
        Assert.Equal(k1.PublicKeyBytes(), Assert.Single(listed, k => k.Id == k1.Id).PublicKeyBytes());
        Assert.Equal(KeyCurve.Ed25519, Assert.Single(listed, k => k.Id == ed.Id).Curve);

        Assert.True(fixture.Hsm.Keys.Destroy(k1.Id));
        Assert.False(fixture.Hsm.Keys.Destroy(k1.Id));
        Assert.DoesNotContain(fixture.Hsm.Keys.List(), k => k.Id == k1.Id);
        Assert.Equal(HsmError.KeyNotFound, Assert.Throws<HsmException>(() => fixture.Hsm.Keys.SignDigest(k1.Id, new byte[32])).Error);
        Assert.Equal(HsmError.KeyNotFound, Assert.Throws<HsmException>(() => fixture.Hsm.Keys.Get(k1.Id)).Error);
        Assert.Contains(fixture.Hsm.Keys.List(), k => k.Id == ed.Id);
    }

    [Fact]
    public void Ids_are_unique_and_survive_a_text_round_trip()
    {
        var ids = Enumerable.Range(0, 20).Select(i => fixture.Hsm.Keys.Generate(i % 2 == 0 ? KeyCurve.Secp256k1 : KeyCurve.Ed25519).Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        foreach (var id in ids)
        {
            Assert.Matches("^[0-9a-f]{32}$", id.ToString());
            Assert.Equal(id, HsmKeyId.Parse(id.ToString()));
            Assert.Equal(id, HsmKeyId.FromBytes(id.ToBytes()));
        }
    }

    [Fact]
    public void Key_ids_reject_bad_text_and_lengths()
    {
        Assert.False(HsmKeyId.TryParse(null, out _));
        Assert.False(HsmKeyId.TryParse("00", out _));
        Assert.False(HsmKeyId.TryParse(new string('g', 32), out _));
        Assert.False(HsmKeyId.TryParse("0x" + new string('0', 30), out _));
        Assert.True(HsmKeyId.TryParse(new string('A', 32), out var upper));
        Assert.Equal(new string('a', 32), upper.ToString());
        Assert.Equal("keyId", Assert.Throws<InvalidInputException>(() => HsmKeyId.Parse("xyz")).Field);
        Assert.Equal("keyId", Assert.Throws<InvalidInputException>(() => HsmKeyId.FromBytes(new byte[15])).Field);
    }
}
