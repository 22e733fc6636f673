using Custody.Core.Crypto;

namespace Custody.Core.Tests;

public class SecretBytesTests
{
    [Fact]
    public void Dispose_zeroes_and_forbids_further_reads()
    {
        var secret = SecretBytes.CopyFrom([1, 2, 3, 4]);
        Assert.Equal([1, 2, 3, 4], secret.Span.ToArray());
        Assert.DoesNotContain("1", secret.ToString(), StringComparison.Ordinal);
        secret.Dispose();
        Assert.Throws<ObjectDisposedException>(() => secret.Span.ToArray());
    }
}
