using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Custody.Hsm.Pkcs11;

/// <summary>
/// How a secret object on the token is protected, as the token reports it, and whether it would hand
/// out its value (CKA_VALUE; asked without fetching it). Used by tests and the self-check to prove keys stay inside.
/// </summary>
internal sealed record ObjectProtection(
    bool Token, bool Sensitive, bool Extractable, bool AlwaysSensitive, bool NeverExtractable, bool Local, bool ValueReadable)
{
    public static ObjectProtection Read(TokenSession s, IObjectHandle handle)
    {
        var flags = s.Read(handle, CKA.CKA_TOKEN, CKA.CKA_SENSITIVE, CKA.CKA_EXTRACTABLE,
            CKA.CKA_ALWAYS_SENSITIVE, CKA.CKA_NEVER_EXTRACTABLE, CKA.CKA_LOCAL);
        try
        {
            bool Flag(int i) => !flags[i].CannotBeRead && flags[i].GetValueAsBool();
            return new ObjectProtection(Flag(0), Flag(1), Flag(2), Flag(3), Flag(4), Flag(5), ValueReadable: s.Session.CanRead(handle, CKA.CKA_VALUE));
        }
        finally
        {
            TokenSession.DisposeAll(flags);
        }
    }
}
