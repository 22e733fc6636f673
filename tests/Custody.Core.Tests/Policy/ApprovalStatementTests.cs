using System.Security.Cryptography;
using System.Text;
using Custody.Core.Policy;

namespace Custody.Core.Tests.Policy;

public class ApprovalStatementTests
{
    private static readonly string RequestHex = new('a', 64);
    private static readonly string IntentHex = new('B', 64);
    private static readonly DateTimeOffset Expiry = DateTimeOffset.FromUnixTimeSeconds(1_750_000_000);

    [Fact]
    public void Statement_bytes_are_the_documented_lines()
    {
        var statement = new ApprovalStatement(RequestHex, IntentHex, 42, Expiry, ApprovalVerdict.Approve);
        Assert.Equal(
            "custody-approval-v1\nrequest:" + RequestHex + "\nintent:" + new string('b', 64) + "\npolicy:42\nexpires:1750000000\nverdict:approve\n",
            Encoding.ASCII.GetString(statement.ToBytes()));
        Assert.EndsWith("verdict:reject\n", (statement with { Verdict = ApprovalVerdict.Reject }).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Statement_refuses_a_malformed_digest() =>
        Assert.Equal("request", Assert.Throws<InvalidInputException>(() =>
            new ApprovalStatement("abc", IntentHex, 1, Expiry, ApprovalVerdict.Approve).ToBytes()).Field);

    [Fact]
    public void Ed25519_approver_signs_and_any_changed_field_breaks_it()
    {
        var seed = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var key = ApproverKey.Create("alice", ApproverKeyAlgorithm.Ed25519, Custody.Core.Crypto.Ed25519.GetPublicKey(seed));
        var statement = new ApprovalStatement(RequestHex, IntentHex, 42, Expiry, ApprovalVerdict.Approve);
        var signature = Custody.Core.Crypto.Ed25519.Sign(seed, statement.ToBytes());
        Assert.True(key.Verify(statement.ToBytes(), signature));
        Assert.False(key.Verify((statement with { PolicyVersion = 43 }).ToBytes(), signature));
        Assert.False(key.Verify((statement with { ExpiresAt = Expiry.AddSeconds(1) }).ToBytes(), signature));
        Assert.False(key.Verify((statement with { Verdict = ApprovalVerdict.Reject }).ToBytes(), signature));
        Assert.False(key.Verify((statement with { IntentDigest = new string('c', 64) }).ToBytes(), signature));
        Assert.False(key.Verify(statement.ToBytes(), signature.AsSpan(0, 63)));
    }

    [Fact]
    public void P256_approver_with_raw_or_spki_key_and_p1363_or_der_signature()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var q = ecdsa.ExportParameters(false).Q;
        var raw = ApproverKey.Create("bob", ApproverKeyAlgorithm.P256, [0x04, .. q.X!, .. q.Y!]);
        var spki = ApproverKey.Create("bob", ApproverKeyAlgorithm.P256, ecdsa.ExportSubjectPublicKeyInfo());
        Assert.Equal(raw.Fingerprint, spki.Fingerprint);

        var message = new ApprovalStatement(RequestHex, IntentHex, 1, Expiry, ApprovalVerdict.Approve).ToBytes();
        var p1363 = ecdsa.SignData(message, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var der = ecdsa.SignData(message, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        Assert.True(raw.Verify(message, p1363));
        Assert.True(spki.Verify(message, der));
        message[^2] ^= 1;
        Assert.False(raw.Verify(message, p1363));
        Assert.False(raw.Verify(message, [0x30, 0x02, 0x01]));
    }

    [Fact]
    public void Bad_keys_are_refused()
    {
        Assert.Equal("public_key", Assert.Throws<InvalidInputException>(() => ApproverKey.Create("a", ApproverKeyAlgorithm.Ed25519, new byte[31])).Field);
        var offCurve = new byte[65];
        offCurve[0] = 0x04;
        offCurve[64] = 7;
        Assert.Equal("public_key", Assert.Throws<InvalidInputException>(() => ApproverKey.Create("a", ApproverKeyAlgorithm.P256, offCurve)).Field);
        Assert.Equal("public_key", Assert.Throws<InvalidInputException>(() => ApproverKey.Create("a", ApproverKeyAlgorithm.P256, [1, 2, 3])).Field);
        using var otherCurve = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Equal("public_key", Assert.Throws<InvalidInputException>(() =>
            ApproverKey.Create("a", ApproverKeyAlgorithm.P256, otherCurve.ExportSubjectPublicKeyInfo())).Field);
        Assert.Equal("approver", Assert.Throws<InvalidInputException>(() => ApproverKey.Create(" ", ApproverKeyAlgorithm.Ed25519, new byte[32])).Field);
    }
}
