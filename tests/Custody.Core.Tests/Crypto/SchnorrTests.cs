using Custody.Core.Crypto;

namespace Custody.Core.Tests.Crypto;

// BIP340 test-vectors.csv, every row: signing rows reproduce the signature byte for
// byte; verification rows give the stated result.
public class SchnorrTests
{
    public static TheoryData<int> Rows() => [.. Enumerable.Range(0, Lines().Length)];

    private static string[][] Lines() =>
        [.. File.ReadAllLines(VectorFile.Path("bip340-schnorr.csv")).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(','))];

    [Theory]
    [MemberData(nameof(Rows))]
    public void Bip340_vector(int row)
    {
        var f = Lines()[row];
        var (secret, pub, aux, msg, sig, expected) = (f[1], VectorFile.Hex(f[2]), f[3], VectorFile.Hex(f[4]), VectorFile.Hex(f[5]), f[6] == "TRUE");
        if (secret.Length > 0)
        {
            var key = VectorFile.Hex(secret);
            Assert.Equal(pub, Secp256k1.GetXOnlyPublicKey(key));
            Assert.Equal(sig, Secp256k1.SignSchnorr(key, msg, VectorFile.Hex(aux)));
        }
        Assert.Equal(expected, Secp256k1.VerifySchnorr(pub, msg, sig));
    }
}
