using Net.Pkcs11Interop.Common;

namespace Custody.Hsm.Pkcs11;

/// <summary>Sorts PKCS#11 results into what the pool does about them and what callers see.</summary>
internal static class Pkcs11Errors
{
    /// <summary>
    /// The session, the login or the token is gone: drop the session, recover, retry once on a fresh
    /// logged-in session. Any of these can come from a module restart, a removed or reset token, a
    /// network HSM that lost its connection, or C_CloseAllSessions / C_Logout by someone else.
    /// </summary>
    public static bool IsSessionLoss(CKR rv) => rv is CKR.CKR_SESSION_HANDLE_INVALID
        or CKR.CKR_SESSION_CLOSED
        or CKR.CKR_SESSION_COUNT
        or CKR.CKR_DEVICE_REMOVED
        or CKR.CKR_DEVICE_ERROR
        or CKR.CKR_TOKEN_NOT_PRESENT
        or CKR.CKR_TOKEN_NOT_RECOGNIZED
        or CKR.CKR_USER_NOT_LOGGED_IN
        or CKR.CKR_SLOT_ID_INVALID
        or CKR.CKR_CRYPTOKI_NOT_INITIALIZED;

    public static bool IsSessionLoss(Exception e) => e switch
    {
        TokenLostException => true,
        Pkcs11Exception p => IsSessionLoss(p.RV),
        // A session or slot object of a finalised module instance.
        ObjectDisposedException => true,
        _ => false,
    };

    /// <summary>A handle cached for an object that is no longer there (or no longer valid): find it again.</summary>
    public static bool IsStaleHandle(Pkcs11Exception e) =>
        e.RV is CKR.CKR_OBJECT_HANDLE_INVALID or CKR.CKR_KEY_HANDLE_INVALID;

    /// <summary>Any other refusal, as our typed error; the PKCS#11 name stays in the message for the operator.</summary>
    public static HsmException ToHsmException(Pkcs11Exception e, string operation, string tokenLabel)
    {
        var error = e.RV switch
        {
            CKR.CKR_MECHANISM_INVALID or CKR.CKR_MECHANISM_PARAM_INVALID or CKR.CKR_DOMAIN_PARAMS_INVALID
                or CKR.CKR_CURVE_NOT_SUPPORTED => HsmError.MechanismNotSupported,
            CKR.CKR_KEY_TYPE_INCONSISTENT or CKR.CKR_KEY_FUNCTION_NOT_PERMITTED => HsmError.WrongKeyType,
            CKR.CKR_PIN_INCORRECT => HsmError.PinIncorrect,
            CKR.CKR_PIN_LOCKED => HsmError.PinLocked,
            _ => HsmError.OperationFailed,
        };
        return new HsmException(error, $"{operation} failed on token '{tokenLabel}': {e.Method} returned {e.RV}", e);
    }
}
