using Custody.Core.Hd;

namespace Custody.Core.Tests.Hd;

public class KeyPathTests
{
    [Theory]
    [InlineData("m", "m")]
    [InlineData("M", "m")]
    [InlineData(" m/0 ", "m/0")]
    [InlineData("m/44'/0'/0'/0/5", "m/44'/0'/0'/0/5")]
    [InlineData("m/44h/0H/0'/0/5", "m/44'/0'/0'/0/5")]
    [InlineData("44'/0'", "m/44'/0'")]
    [InlineData("m/2147483647'", "m/2147483647'")]
    [InlineData("m/2147483647", "m/2147483647")]
    [InlineData("m/007", "m/7")]
    public void Parses_both_notations_and_prints_canonically(string text, string canonical)
    {
        var path = KeyPath.Parse(text);
        Assert.Equal(canonical, path.ToString());
        Assert.Equal(path, KeyPath.Parse(canonical));
        Assert.True(KeyPath.TryParse(text, out var again));
        Assert.Equal(path, again);
    }

    [Theory]
    [InlineData("", "empty path")]
    [InlineData("   ", "empty path")]
    [InlineData("m/", "level 1 is not an index")]
    [InlineData("/0", "level 1 is not an index")]
    [InlineData("m/0/", "level 2 is not an index")]
    [InlineData("m//0", "level 1 is not an index")]
    [InlineData("m/'", "level 1 is not an index")]
    [InlineData("m/h", "level 1 is not an index")]
    [InlineData("m/1''", "level 1 is not an index")]
    [InlineData("m/-1", "level 1 is not an index")]
    [InlineData("m/+1", "level 1 is not an index")]
    [InlineData("m/ 1", "level 1 is not an index")]
    [InlineData("m/0x10", "level 1 is not an index")]
    [InlineData("m/١", "level 1 is not an index")] // Arabic-Indic digit one
    [InlineData("m/4294967296", "level 1 is not an index")]
    [InlineData("m/99999999999999999999", "level 1 is not an index")]
    [InlineData("m/2147483648", "is not below 2^31")]
    [InlineData("m/0/2147483648'", "level 2 is not below 2^31")]
    [InlineData("m/m/0", "level 1 is not an index")]
    [InlineData("x/0", "level 1 is not an index")]
    public void Refuses_malformed_paths_naming_the_level(string text, string reason)
    {
        var e = Assert.Throws<InvalidInputException>(() => KeyPath.Parse(text));
        Assert.Equal("path", e.Field);
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
        Assert.False(KeyPath.TryParse(text, out _));
    }

    [Fact]
    public void Null_does_not_parse()
    {
        Assert.False(KeyPath.TryParse(null, out _));
        Assert.Throws<InvalidInputException>(() => KeyPath.Parse(null!));
    }

    [Fact]
    public void Depth_is_bounded_by_what_BIP32_can_serialise()
    {
        var deepest = "m" + string.Concat(Enumerable.Repeat("/1", 255));
        Assert.Equal(255, KeyPath.Parse(deepest).Depth);
        Assert.Contains("deeper than 255", Assert.Throws<InvalidInputException>(() => KeyPath.Parse(deepest + "/1")).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidInputException>(() => KeyPath.Parse(deepest).Child(1));
        Assert.Throws<InvalidInputException>(() => KeyPath.Parse(deepest).Append(KeyPath.Parse("m/1")));
        Assert.Throws<InvalidInputException>(() => KeyPath.FromIndexes(new uint[256]));
        // A long text is refused without building anything big.
        Assert.Throws<InvalidInputException>(() => KeyPath.Parse("m" + string.Concat(Enumerable.Repeat("/1", 100_000))));
    }

    [Fact]
    public void Builders_and_queries()
    {
        var account = KeyPath.Root.Hardened(84).Hardened(0).Hardened(0);
        Assert.Equal("m/84'/0'/0'", account.ToString());
        Assert.True(account.IsFullyHardened);
        Assert.True(KeyPath.Root.IsFullyHardened);
        var address = account.Child(0).Child(5);
        Assert.False(address.IsFullyHardened);
        Assert.Equal(5, address.Depth);
        Assert.Equal(5u, address.Last);
        Assert.Null(KeyPath.Root.Last);
        Assert.Equal(84u | KeyPath.HardenedBit, address[0]);
        Assert.Equal(account, address.Parent(2));
        Assert.Equal(KeyPath.Root, address.Parent(5));
        Assert.Throws<ArgumentOutOfRangeException>(() => address.Parent(6));
        Assert.Throws<ArgumentOutOfRangeException>(() => address.Parent(-1));
        Assert.True(address.StartsWith(account));
        Assert.True(address.StartsWith(KeyPath.Root));
        Assert.False(account.StartsWith(address));
        Assert.False(address.StartsWith(KeyPath.Parse("m/84'/0'/1'")));
        Assert.Equal(address, account.Append(KeyPath.Parse("m/0/5")));
        Assert.Equal(address, KeyPath.FromIndexes(address.Indexes));
        Assert.True(KeyPath.IsHardenedIndex(KeyPath.HardenedBit));
        Assert.False(KeyPath.IsHardenedIndex(KeyPath.HardenedBit - 1));
    }

    [Fact]
    public void Paths_are_values()
    {
        var a = KeyPath.Parse("m/44'/60'/0'/0/1");
        var b = KeyPath.Parse("44h/60h/0h/0/1");
        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.False(a != b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, KeyPath.Parse("m/44'/60'/0'/0/1'"));
        Assert.NotEqual(a, KeyPath.Parse("m/44'/60'/0'/0"));
        Assert.False(a.Equals(null));
        Assert.True((KeyPath?)null == null);
        // FromIndexes copies: changing the caller's array later does not change the path.
        var indexes = new uint[] { 1, 2 };
        var path = KeyPath.FromIndexes(indexes);
        indexes[0] = 9;
        Assert.Equal("m/1/2", path.ToString());
    }

    [Fact]
    public void Random_paths_round_trip_through_both_notations()
    {
        var random = new Random(44);
        for (var i = 0; i < 2000; i++)
        {
            var indexes = new uint[random.Next(0, 12)];
            for (var j = 0; j < indexes.Length; j++) indexes[j] = (uint)random.NextInt64(0, 1L << 32);
            var path = KeyPath.FromIndexes(indexes);
            var apostrophe = path.ToString();
            var h = apostrophe.Replace('\'', random.Next(2) == 0 ? 'h' : 'H');
            Assert.Equal(path, KeyPath.Parse(apostrophe));
            Assert.Equal(path, KeyPath.Parse(h));
            Assert.Equal(apostrophe, KeyPath.Parse(h).ToString());
        }
    }

    [Fact]
    public void Random_text_never_crashes_the_parser()
    {
        var random = new Random(45);
        const string alphabet = "m/0123456789'hH -x\u0661";
        for (var i = 0; i < 5000; i++)
        {
            var text = new string(Enumerable.Range(0, random.Next(0, 30)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            if (KeyPath.TryParse(text, out var path))
                Assert.Equal(path, KeyPath.Parse(path.ToString()));
            else
                Assert.Throws<InvalidInputException>(() => KeyPath.Parse(text));
        }
    }
}
