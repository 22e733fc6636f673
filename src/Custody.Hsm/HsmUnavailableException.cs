namespace Custody.Hsm;

/// <summary>
/// The HSM cannot serve the request now: the token is gone or not found, or every session stayed busy.
/// The operation did not happen; retrying later is safe. The daemon maps this to gRPC UNAVAILABLE.
/// </summary>
public sealed class HsmUnavailableException : HsmException
{
    public HsmUnavailableException(string message)
        : base(HsmError.Unavailable, message) { }

    public HsmUnavailableException(string message, Exception inner)
        : base(HsmError.Unavailable, message, inner) { }
}
