namespace Custody.Core.Chains.Evm;

/// <summary>The selector syntax of EVM-style calls (EVM and TRON): 4 bytes as lower-case 0x-hex.</summary>
public static class EvmSelector
{
    public static string Normalize(string selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return selector.Trim().ToLowerInvariant();
    }

    /// <summary>Why a normalised selector is not a 4-byte selector, or null.</summary>
    public static string? Error(string selector) =>
        selector.Length == 10 && selector.StartsWith("0x", StringComparison.Ordinal) && selector[2..].All(char.IsAsciiHexDigit)
            ? null
            : $"'{selector}' is not a 4-byte selector such as 0xa9059cbb (or \"*\")";
}
