using System.Text;

namespace Custody.Daemon.Metrics;

/// <summary>Label values as Prometheus users expect them: lowercase snake case ("NeedsApproval" → "needs_approval", "list KEKs" → "list_keks").</summary>
public static class LabelValue
{
    public static string Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var value = new StringBuilder(text.Length + 4);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsAsciiLetterUpper(c))
            {
                // A word starts at an upper-case letter after a lower-case one or a digit: "NeedsApproval", not "KEKs".
                if (i > 0 && (char.IsAsciiLetterLower(text[i - 1]) || char.IsAsciiDigit(text[i - 1])) && value.Length > 0 && value[^1] != '_') value.Append('_');
                value.Append(char.ToLowerInvariant(c));
            }
            else if (char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c))
            {
                value.Append(c);
            }
            else if (value.Length > 0 && value[^1] != '_')
            {
                value.Append('_');
            }
        }
        return value.ToString().TrimEnd('_');
    }
}
