using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Custody.Hsm.Pkcs11;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Custody.Hsm.Tests;

/// <summary>
/// Plaintext and random bytes cross PKCS#11 only in buffers Custody owns: no code of Custody.Hsm calls
/// the high-level Pkcs11Interop calls that allocate them (Encrypt, Decrypt and their combined forms,
/// GenerateRandom), which leave copies nobody zeroes. <see cref="OwnedBufferSession"/> has the replacements.
/// </summary>
public class OwnedBufferTests
{
    [Fact]
    public void Custody_Hsm_never_calls_the_Pkcs11Interop_calls_that_allocate_plaintext_or_random_bytes()
    {
        Assert.Empty(AllocatingCalls(typeof(HsmConnection).Assembly));
    }

    [Fact]
    public void The_call_finder_does_find_such_a_call_where_there_is_one()
    {
        Assert.Contains("Net.Pkcs11Interop.HighLevelAPI.ISession.Decrypt", AllocatingCalls(typeof(OwnedBufferTests).Assembly));
    }

    // Never run: it is here so that this assembly holds one call the finder must see.
    private static byte[] CopyingDecrypt(ISession session, IMechanism mechanism, IObjectHandle key) => session.Decrypt(mechanism, key, []);

    /// <summary>Every method the assembly's code references on a high-level Pkcs11Interop type that hands plaintext or random bytes back in its own array.</summary>
    private static List<string> AllocatingCalls(Assembly assembly)
    {
        using var pe = new PEReader(File.OpenRead(assembly.Location));
        var metadata = pe.GetMetadataReader();
        var calls = new List<string>();
        foreach (var handle in metadata.MemberReferences)
        {
            var member = metadata.GetMemberReference(handle);
            if (member.Parent.Kind != HandleKind.TypeReference) continue;
            var type = metadata.GetTypeReference((TypeReferenceHandle)member.Parent);
            var ns = metadata.GetString(type.Namespace);
            var name = metadata.GetString(member.Name);
            if (ns.StartsWith("Net.Pkcs11Interop.HighLevelAPI", StringComparison.Ordinal)
                && (name.Contains("crypt", StringComparison.OrdinalIgnoreCase) || name == "GenerateRandom"))
                calls.Add($"{ns}.{metadata.GetString(type.Name)}.{name}");
        }
        return calls;
    }
}
