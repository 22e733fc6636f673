namespace Custody.Hsm.Pkcs11;

/// <summary>
/// Internal signal: the token (or the module instance) stopped answering. The session pool catches it,
/// attempts recovery and retries once; callers only ever see <see cref="HsmUnavailableException"/>.
/// </summary>
internal sealed class TokenLostException : Exception
{
    public TokenLostException(string message)
        : base(message) { }

    public TokenLostException(string message, Exception inner)
        : base(message, inner) { }
}
