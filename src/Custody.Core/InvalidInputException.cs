namespace Custody.Core;

/// <summary>
/// Input from outside (a transaction, a path, an address, a mnemonic) that does not
/// fit its format. <see cref="Field"/> names the part that is wrong, so that callers
/// (the daemon, the CLI) can report it without parsing the message. Messages never
/// carry secret material.
/// </summary>
public sealed class InvalidInputException : FormatException
{
    public InvalidInputException(string field, string message)
        : base($"{field}: {message}")
    {
        Field = field;
        Reason = message;
    }

    public InvalidInputException(string field, string message, Exception inner)
        : base($"{field}: {message}", inner)
    {
        Field = field;
        Reason = message;
    }

    /// <summary>The offending field, e.g. "path", "input[2].witness_utxo".</summary>
    public string Field { get; }

    /// <summary>The reason alone, without the field prefix.</summary>
    public string Reason { get; }
}
