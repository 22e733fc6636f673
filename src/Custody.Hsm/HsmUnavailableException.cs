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

    private HsmUnavailableException(string message, bool sessionsBusy)
        : base(HsmError.Unavailable, message) => SessionsBusy = sessionsBusy;

    /// <summary>Every session stayed busy for the wait: the token may be fine, only saturated.</summary>
    public bool SessionsBusy { get; }

    internal static HsmUnavailableException Busy(string message) => new(message, sessionsBusy: true);
}
