namespace Custody.Hsm;

/// <summary>
/// A failure in the HSM layer. <see cref="Error"/> says what kind; the message is written for an
/// operator and never contains PINs or key material.
/// </summary>
public class HsmException : Exception
{
    public HsmException(HsmError error, string message)
        : base(message) => Error = error;

    public HsmException(HsmError error, string message, Exception inner)
        : base(message, inner) => Error = error;

    public HsmError Error { get; }
}
