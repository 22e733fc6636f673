using System.Buffers.Binary;
using Custody.Core;
using Custody.Hsm.Sealing;

namespace Custody.Hsm.Tests;

[Collection(HsmCollection.Name)]
public class SealingTests
{
    private static readonly byte[] WalletAad = "wallet:0f3a"u8.ToArray();
    private readonly SoftHsmFixture _fixture;
    private readonly IBlobSealer _sealer;

    public SealingTests(SoftHsmFixture fixture)
    {
        _fixture = fixture;
        fixture.Hsm.Keks.Ensure(1);
        _sealer = fixture.Hsm.CreateSealer(1);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(4096)]
    public void Round_trips(int length)
    {
        var plaintext = new byte[length];
        new Random(length).NextBytes(plaintext);
        var blob = _sealer.Seal(plaintext, WalletAad);
        Assert.Equal(length + SealedBlob.Overhead, blob.Length);
        using var opened = _sealer.Unseal(blob, WalletAad);
        Assert.Equal(plaintext, opened.Span.ToArray());
    }

    [Fact]
    public void Blob_names_format_and_KEK_version_and_uses_a_fresh_IV_each_time()
    {
        var a = _sealer.Seal(new byte[32], WalletAad);
        var b = _sealer.Seal(new byte[32], WalletAad);
        Assert.Equal("CSB"u8.ToArray(), a[..3]);
        Assert.Equal(1, a[3]);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32BigEndian(a.AsSpan(4)));
        Assert.Equal(1, SealedBlob.KekVersionOf(a));
        Assert.NotEqual(a.AsSpan(8, 12).ToArray(), b.AsSpan(8, 12).ToArray());
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Wrong_associated_data_is_rejected()
    {
        var blob = _sealer.Seal(new byte[64], WalletAad);
        AssertAuthenticationFails(() => _sealer.Unseal(blob, "wallet:0f3b"u8));
        AssertAuthenticationFails(() => _sealer.Unseal(blob, ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void Every_single_bit_flip_is_rejected()
    {
        var blob = _sealer.Seal(Enumerable.Range(0, 64).Select(i => (byte)i).ToArray(), WalletAad);
        for (var i = 0; i < blob.Length; i++)
        {
            var tampered = (byte[])blob.Clone();
            tampered[i] ^= 0x01;
            var e = Assert.ThrowsAny<Exception>(() => _sealer.Unseal(tampered, WalletAad).Dispose());
            if (i < 4 || i == 7)
                Assert.Equal("sealedBlob", Assert.IsType<InvalidInputException>(e).Field); // magic, format, version 0
            else if (i < 8)
                Assert.Equal(HsmError.KeyNotFound, Assert.IsType<HsmException>(e).Error); // another KEK version
            else
                Assert.Equal(HsmError.BlobAuthenticationFailed, Assert.IsType<HsmException>(e).Error); // IV, ciphertext, tag
        }
    }

    [Fact]
    public void The_KEK_version_in_the_header_is_authenticated()
    {
        _fixture.Hsm.Keks.Ensure(2);
        var blob = _sealer.Seal(new byte[32], WalletAad);
        BinaryPrimitives.WriteUInt32BigEndian(blob.AsSpan(4), 2); // claim KEK v2, which exists
        AssertAuthenticationFails(() => _sealer.Unseal(blob, WalletAad));
    }

    [Fact]
    public void A_sealer_for_the_new_version_reads_blobs_of_the_old_one()
    {
        _fixture.Hsm.Keks.Ensure(2);
        var old = _sealer.Seal([9, 9, 9], WalletAad);
        var rotated = _fixture.Hsm.CreateSealer(2);
        using var opened = rotated.Unseal(old, WalletAad);
        var resealed = rotated.Seal(opened.Span, WalletAad);
        Assert.Equal(2, SealedBlob.KekVersionOf(resealed));
        using var again = _sealer.Unseal(resealed, WalletAad);
        Assert.Equal([9, 9, 9], again.Span.ToArray());
    }

    [Fact]
    public void Truncated_blobs_fail_with_typed_errors()
    {
        var blob = _sealer.Seal(new byte[40], WalletAad);
        for (var length = 0; length < blob.Length; length++)
        {
            var e = Assert.ThrowsAny<Exception>(() => _sealer.Unseal(blob.AsSpan(0, length), WalletAad).Dispose());
            if (length < SealedBlob.Overhead)
                Assert.Equal("sealedBlob", Assert.IsType<InvalidInputException>(e).Field);
            else
                Assert.Equal(HsmError.BlobAuthenticationFailed, Assert.IsType<HsmException>(e).Error);
        }
    }

    [Fact]
    public void Random_input_never_escapes_as_anything_but_a_typed_error()
    {
        var random = new Random(20240611);
        var header = _sealer.Seal([], WalletAad)[..8];
        for (var i = 0; i < 300; i++)
        {
            var blob = new byte[random.Next(0, 120)];
            random.NextBytes(blob);
            if (i % 2 == 0 && blob.Length >= 8) header.CopyTo(blob, 0); // half of them get past the header checks
            var e = Assert.ThrowsAny<Exception>(() => _sealer.Unseal(blob, WalletAad).Dispose());
            Assert.True(e is InvalidInputException or HsmException { Error: HsmError.BlobAuthenticationFailed or HsmError.KeyNotFound },
                $"blob {i} ({blob.Length} bytes) escaped as {e.GetType().Name}: {e.Message}");
        }
    }

    [Fact]
    public void Unsealed_secret_is_zeroed_on_dispose()
    {
        var blob = _sealer.Seal([1, 2, 3, 4], WalletAad);
        var opened = _sealer.Unseal(blob, WalletAad);
        opened.Dispose();
        Assert.Throws<ObjectDisposedException>(() => opened.Span.ToArray());
    }

    private static void AssertAuthenticationFails(Action unseal)
    {
        var e = Assert.Throws<HsmException>(unseal);
        Assert.Equal(HsmError.BlobAuthenticationFailed, e.Error);
        Assert.Contains("failed authentication", e.Message, StringComparison.Ordinal);
    }
}
