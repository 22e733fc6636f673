using System.Security.Cryptography;
using System.Text;
using Custody.Core.Crypto;
using Custody.V1;

namespace Custody.Cli.Approver;

/// <summary>
/// An approver's private key, from its file: Ed25519 as a raw 32-byte seed or PKCS#8 PEM, P-256 as
/// PKCS#8 PEM (what approver keygen and openssl write). It signs approval statements locally; the
/// key never leaves this process. The file must be readable by its owner only.
/// </summary>
internal sealed class ApproverKey : IDisposable
{
    // PKCS#8 of an Ed25519 key (RFC 8410): SEQUENCE { 0, { id-Ed25519 }, OCTET STRING { OCTET STRING seed } }.
    private static readonly byte[] Ed25519Prefix = Convert.FromHexString("302e020100300506032b657004220420");
    private const int MaxFileBytes = 4096;

    private readonly byte[]? _seed;
    private readonly ECDsa? _p256;

    private ApproverKey(byte[]? seed, ECDsa? p256)
    {
        _seed = seed;
        _p256 = p256;
    }

    public ApproverKeyAlgorithm Algorithm => _seed is not null ? ApproverKeyAlgorithm.Ed25519 : ApproverKeyAlgorithm.P256;

    /// <summary>What RegisterApprover takes: the 32-byte Ed25519 key, or the 65-byte uncompressed P-256 point.</summary>
    public byte[] PublicKey()
    {
        if (_seed is not null) return Ed25519.GetPublicKey(_seed);
        var point = _p256!.ExportParameters(includePrivateParameters: false).Q;
        return [0x04, .. point.X!, .. point.Y!];
    }

    /// <summary>The signature over a statement's exact ASCII bytes: 64 bytes either way (Ed25519, or P-256 r‖s over SHA-256).</summary>
    public byte[] Sign(string statement)
    {
        var bytes = Encoding.ASCII.GetBytes(statement);
        return _seed is not null ? Ed25519.Sign(_seed, bytes) : _p256!.SignData(bytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    public static ApproverKey Generate(ApproverKeyAlgorithm algorithm)
    {
        if (algorithm == ApproverKeyAlgorithm.P256) return new(null, ECDsa.Create(ECCurve.NamedCurves.nistP256));
        var seed = PinnedArray.Allocate(32);
        RandomNumberGenerator.Fill(seed);
        return new(seed, null);
    }

    /// <summary>PKCS#8 PEM, the form openssl reads (openssl pkey -in FILE -pubout).</summary>
    public string ToPem()
    {
        if (_p256 is not null) return _p256.ExportPkcs8PrivateKeyPem();
        var der = PinnedArray.Allocate(Ed25519Prefix.Length + 32);
        try
        {
            Ed25519Prefix.CopyTo(der, 0);
            _seed!.CopyTo(der, Ed25519Prefix.Length);
            return PemEncoding.WriteString("PRIVATE KEY", der);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }

    public static ApproverKey Read(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists) throw new CliException($"approver key file '{path}' does not exist");
        if (file.Length > MaxFileBytes) throw new CliException($"approver key file '{path}' is larger than {MaxFileBytes} bytes; is it the right file?");
        if (!OperatingSystem.IsWindows() && (file.UnixFileMode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            throw new CliException($"approver key file '{path}' is readable by others: chmod 600 '{path}'");
        var bytes = PinnedArray.Allocate((int)file.Length);
        try
        {
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0))
                stream.ReadExactly(bytes);
            if (bytes.Length == 32) return new(Copy(bytes), null);
            var text = Encoding.ASCII.GetString(bytes);
            if (!PemEncoding.TryFind(text, out var fields) || text[fields.Label] != "PRIVATE KEY")
                throw new CliException($"approver key file '{path}' holds neither a raw 32-byte Ed25519 seed nor a PKCS#8 PEM private key");
            var der = PinnedArray.Allocate(fields.DecodedDataLength);
            try
            {
                Convert.TryFromBase64Chars(text.AsSpan()[fields.Base64Data], der, out _);
                if (der.Length == Ed25519Prefix.Length + 32 && der.AsSpan(0, Ed25519Prefix.Length).SequenceEqual(Ed25519Prefix))
                    return new(Copy(der.AsSpan(Ed25519Prefix.Length)), null);
                var key = ECDsa.Create();
                key.ImportPkcs8PrivateKey(der, out _);
                if (key.ExportParameters(false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
                    throw new CliException($"approver key file '{path}': an EC key, but not on P-256");
                return new(null, key);
            }
            catch (CryptographicException)
            {
                throw new CliException($"approver key file '{path}': not an Ed25519 or P-256 PKCS#8 private key");
            }
            finally
            {
                CryptographicOperations.ZeroMemory(der);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static byte[] Copy(ReadOnlySpan<byte> seed)
    {
        var copy = PinnedArray.Allocate(32);
        seed.CopyTo(copy);
        return copy;
    }

    public void Dispose()
    {
        if (_seed is not null) CryptographicOperations.ZeroMemory(_seed);
        _p256?.Dispose();
    }
}
