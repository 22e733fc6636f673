using System.Text;
using Custody.Core.Crypto;

namespace Custody.Core.Tests.Crypto;

public class HashesTests
{
    [Theory]
    // Keccak-256 (Ethereum's, not SHA3-256) of "" and "abc"; RIPEMD-160 of "" and "abc" from its authors' page.
    [InlineData("keccak", "", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")]
    [InlineData("keccak", "abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")]
    [InlineData("ripemd", "", "9c1185a5c5e9fc54612808977ee8f548b2258d31")]
    [InlineData("ripemd", "abc", "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc")]
    [InlineData("sha256d", "", "5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456")]
    public void Known_digests(string function, string input, string expected)
    {
        var data = Encoding.ASCII.GetBytes(input);
        var digest = function switch
        {
            "keccak" => Hashes.Keccak256(data),
            "ripemd" => Hashes.Ripemd160(data),
            _ => Hashes.Sha256d(data),
        };
        Assert.Equal(expected, VectorFile.ToHex(digest));
    }

    [Fact]
    public void Tagged_hash_is_the_bip340_construction()
    {
        var tag = Hashes.Sha256(Encoding.UTF8.GetBytes("TapTweak"));
        var expected = Hashes.Sha256([.. tag, .. tag, 1, 2, 3]);
        Assert.Equal(expected, Hashes.TaggedHash("TapTweak", [1, 2, 3]));
    }
}
