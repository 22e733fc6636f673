using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Custody.Core.Policy;
using Custody.Core.Tests.TestKit;
using Custody.Core.WebAuthn;

namespace Custody.Core.Tests.WebAuthn;

/// <summary>
/// Passkey assertion verification against the W3C Web Authentication Level 3 specification, §16
/// "Test Vectors" (Vectors/webauthn-l3-test-vectors.json: the ES256 and Ed25519 authentication
/// ceremonies with the credential keys from their registrations, RP ID example.org, origin
/// https://example.org), then one wrong thing at a time.
/// </summary>
public class WebAuthnL3TestVectorTests
{
    private static readonly RelyingParty ExampleOrg = new("example.org", ["https://example.org"]);

    public static TheoryData<string> Vectors()
    {
        var data = new TheoryData<string>();
        foreach (var v in VectorFile.Json("webauthn-l3-test-vectors.json").GetProperty("vectors").EnumerateArray())
            data.Add(v.GetProperty("anchor").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Each_spec_assertion_verifies_or_is_refused_for_the_rule_it_breaks(string anchor)
    {
        var v = Vector(anchor);
        var assertion = Parse(v);
        var credential = Credential(v);
        var check = ExampleOrg.Check(assertion, credential, Hex(v, "challenge"), requireUserVerification: false);
        if (anchor.EndsWith("crossOrigin", StringComparison.Ordinal) || anchor.EndsWith("topOrigin", StringComparison.Ordinal))
            Assert.Equal("the assertion was made in a cross-origin frame", check); // we are never embedded in another site's frame
        else
            Assert.Null(check);
        Assert.True(credential.VerifySignature(assertion), "the signature itself verifies in every vector");
        Assert.Equal(0u, assertion.Authenticator.SignCount);

        // An approval needs user verification: the vectors whose flags lack UV are refused for it, the others not.
        var strict = ExampleOrg.Check(assertion, credential, Hex(v, "challenge"));
        if (!assertion.Authenticator.UserVerified)
            Assert.Equal("the authenticator did not verify the user (UV flag): a PIN or biometric is required", strict);
        else
            Assert.Equal(check, strict);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void The_public_key_copied_from_the_registration_is_the_one_of_the_spec_private_key(string anchor)
    {
        var v = Vector(anchor);
        byte[] derived;
        if (v.GetProperty("algorithm").GetString() == "EdDSA")
        {
            derived = Custody.Core.Crypto.Ed25519.GetPublicKey(Hex(v, "credentialPrivateKey"));
            Assert.Equal(Hex(v, "publicKeyX"), derived);
            return;
        }
        using var key = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = Hex(v, "credentialPrivateKey") });
        var q = key.ExportParameters(false).Q;
        Assert.Equal(Hex(v, "publicKeyX"), q.X);
        Assert.Equal(Hex(v, "publicKeyY"), q.Y);
    }

    [Fact]
    public void Wrong_origin_rp_id_challenge_type_or_a_changed_byte_is_refused()
    {
        var v = Vector("sctn-test-vectors-none-es256-long-credential-id"); // UP and UV set
        var assertion = Parse(v);
        var credential = Credential(v);
        var challenge = Hex(v, "challenge");
        Assert.Null(ExampleOrg.Check(assertion, credential, challenge));

        Assert.Equal("origin 'https://example.org' is not one of the configured passkey origins",
            new RelyingParty("example.org", ["https://console.example.org"]).Check(assertion, credential, challenge));
        Assert.Equal("the credential is scoped to another RP ID than 'console.example.org'",
            new RelyingParty("console.example.org", ["https://example.org"]).Check(assertion, credential, challenge));
        challenge[0] ^= 1;
        Assert.StartsWith("the assertion's challenge is not this statement's SHA-256", ExampleOrg.Check(assertion, credential, challenge), StringComparison.Ordinal);
        challenge[0] ^= 1;

        // The registration's clientDataJSON (type webauthn.create) is not an assertion.
        var other = Vector("sctn-test-vectors-none-es256");
        Assert.Equal("the signature does not verify with the registered passkey",
            ExampleOrg.Check(Parse(other), credential, Hex(other, "challenge"), requireUserVerification: false));

        var authData = Hex(v, "authenticatorData");
        authData[36] ^= 1; // the counter: covered by the signature
        Assert.Equal("the signature does not verify with the registered passkey",
            ExampleOrg.Check(WebAuthnAssertion.Parse(authData, Hex(v, "clientDataJSON"), Hex(v, "signature")), credential, challenge));
        var signature = Hex(v, "signature");
        signature[^1] ^= 1;
        Assert.Equal("the signature does not verify with the registered passkey",
            ExampleOrg.Check(WebAuthnAssertion.Parse(Hex(v, "authenticatorData"), Hex(v, "clientDataJSON"), signature), credential, challenge));
        var get = Encoding.UTF8.GetString(Hex(v, "clientDataJSON")).Replace("webauthn.get", "webauthn.create", StringComparison.Ordinal);
        Assert.Equal("clientDataJSON type is 'webauthn.create', not 'webauthn.get'",
            ExampleOrg.Check(WebAuthnAssertion.Parse(Hex(v, "authenticatorData"), Encoding.UTF8.GetBytes(get), Hex(v, "signature")), credential, challenge));
    }

    [Fact]
    public void Without_user_presence_nothing_counts()
    {
        using var passkey = new SoftwarePasskey("example.org", "https://example.org");
        var credential = new PasskeyCredential(PasskeyAlgorithm.Es256, passkey.CredentialId, Point(passkey.PublicKeySpki));
        var challenge = RandomNumberGenerator.GetBytes(32);
        var (a, c, s) = passkey.Assert(challenge, userPresent: false);
        Assert.Equal("the authenticator did not report user presence (UP flag)", ExampleOrg.Check(WebAuthnAssertion.Parse(a, c, s), credential, challenge));
        (a, c, s) = passkey.Assert(challenge);
        Assert.Null(ExampleOrg.Check(WebAuthnAssertion.Parse(a, c, s), credential, challenge));
    }

    [Theory]
    [InlineData("", "36 bytes: authenticator data is at least 37")]
    [InlineData("00", "bytes after signCount without the ED (extension data) flag")]
    [InlineData("flags:41", "the AT flag is set")]
    [InlineData("flags:81", "the ED flag is set but no extension data follows")]
    [InlineData("flags:11", "the BS (backed up) flag is set without BE")]
    [InlineData("long", "more than the 1024")]
    public void Malformed_authenticator_data_is_invalid_input_naming_the_field(string change, string expected)
    {
        var authData = new byte[37];
        authData[32] = 0x05;
        if (change == "") authData = authData[..36];
        else if (change == "00") authData = [.. authData, 0];
        else if (change == "long") authData = [.. authData, .. new byte[1000]];
        else authData[32] = Convert.FromHexString(change[6..])[0];
        if (change == "long") authData[32] = 0x85;
        var error = Assert.Throws<InvalidInputException>(() => AuthenticatorData.Parse(authData));
        Assert.Equal("passkey.authenticator_data", error.Field);
        Assert.Contains(expected, error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("[1]", "not a JSON object")]
    [InlineData("{\"type\":\"webauthn.get\",\"origin\":\"https://example.org\"}", "no challenge")]
    [InlineData("{\"type\":\"webauthn.get\",\"challenge\":\"AA\",\"challenge\":\"AB\",\"origin\":\"https://example.org\"}", "challenge appears twice")]
    [InlineData("{\"type\":\"webauthn.get\",\"challenge\":\"A*\",\"origin\":\"https://example.org\"}", "not base64url")]
    [InlineData("{\"type\":7,\"challenge\":\"AA\",\"origin\":\"https://example.org\"}", "type is not a string")]
    [InlineData("{\"type\":\"webauthn.get\",", "not JSON")]
    [InlineData("{\"type\":\"webauthn.get\",\"challenge\":\"AA\",\"origin\":\"https://example.org\"} {}", "not JSON")]
    public void Malformed_client_data_is_invalid_input_naming_the_field(string json, string expected)
    {
        var error = Assert.Throws<InvalidInputException>(() => CollectedClientData.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Equal("passkey.client_data_json", error.Field);
        Assert.Contains(expected, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_passkey_approver_key_binds_the_assertion_to_the_statement_and_its_verdict()
    {
        using var passkey = new SoftwarePasskey("custody.example", "https://console.custody.example");
        var rp = new RelyingParty("custody.example", ["https://console.custody.example"]);
        var key = ApproverKey.Create("alice", ApproverKeyAlgorithm.PasskeyEs256, passkey.PublicKeySpki, passkey.CredentialId);
        var statement = new ApprovalStatement(new string('a', 64), new string('b', 64), 7, DateTimeOffset.FromUnixTimeSeconds(1_800_000_000), ApprovalVerdict.Approve);
        ApprovalProof Over(ApprovalStatement s)
        {
            var (a, c, sig) = passkey.Assert(SHA256.HashData(s.ToBytes()));
            return ApprovalProof.FromPasskey(WebAuthnAssertion.Parse(a, c, sig));
        }
        var proof = Over(statement);
        Assert.Null(key.Check(statement.ToBytes(), proof, rp));
        foreach (var other in new[]
        {
            statement with { Verdict = ApprovalVerdict.Reject }, statement with { PolicyVersion = 8 },
            statement with { RequestDigest = new string('c', 64) }, statement with { ExpiresAt = statement.ExpiresAt.AddSeconds(1) },
        })
            Assert.StartsWith("the assertion's challenge is not this statement's SHA-256", key.Check(other.ToBytes(), proof, rp), StringComparison.Ordinal);
        Assert.Equal("passkey approvals are off: the daemon has no Passkeys:RpId and Passkeys:Origins configured", key.Check(statement.ToBytes(), proof, null));
        Assert.Equal("'alice' has a registered passkey: submit its WebAuthn assertion",
            key.Check(statement.ToBytes(), ApprovalProof.RawSignature(proof.Signature.ToArray()), rp));
        Assert.False(key.Verify(statement.ToBytes(), proof.Signature), "a passkey never signs the bare statement");
        var raw = ApproverKey.Create("bob", ApproverKeyAlgorithm.P256, Point(passkey.PublicKeySpki));
        Assert.StartsWith("'bob' has a registered P256 key, not a passkey", raw.Check(statement.ToBytes(), proof, rp), StringComparison.Ordinal);
        Assert.Equal("credential_id", Assert.Throws<InvalidInputException>(() => ApproverKey.Create("alice", ApproverKeyAlgorithm.PasskeyEs256, passkey.PublicKeySpki)).Field);
    }

    private static JsonElement Vector(string anchor) =>
        VectorFile.Json("webauthn-l3-test-vectors.json").GetProperty("vectors").EnumerateArray().Single(v => v.GetProperty("anchor").GetString() == anchor);

    private static byte[] Hex(JsonElement v, string name) => Convert.FromHexString(v.GetProperty(name).GetString()!);

    private static WebAuthnAssertion Parse(JsonElement v) => WebAuthnAssertion.Parse(Hex(v, "authenticatorData"), Hex(v, "clientDataJSON"), Hex(v, "signature"));

    private static PasskeyCredential Credential(JsonElement v) => v.GetProperty("algorithm").GetString() == "EdDSA"
        ? new PasskeyCredential(PasskeyAlgorithm.EdDsa, Hex(v, "credentialId"), Hex(v, "publicKeyX"))
        : new PasskeyCredential(PasskeyAlgorithm.Es256, Hex(v, "credentialId"), [0x04, .. Hex(v, "publicKeyX"), .. Hex(v, "publicKeyY")]);

    private static byte[] Point(byte[] spki)
    {
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(spki, out _);
        var q = key.ExportParameters(false).Q;
        return [0x04, .. q.X!, .. q.Y!];
    }
}
