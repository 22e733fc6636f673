using System.Text;

namespace Custody.Core.Policy;

/// <summary>
/// A plain line diff ("- old", "+ new", unchanged lines left out) of two canonical policy
/// texts, for the audit record of a change. Longest common subsequence on the lines
/// between the common head and tail; past a size bound, everything between is shown replaced.
/// </summary>
public static class LineDiff
{
    private const int MaxMiddle = 3000;

    public static string Compute(string before, string after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var a = Lines(before);
        var b = Lines(after);
        var head = 0;
        while (head < a.Length && head < b.Length && a[head] == b[head]) head++;
        var tail = 0;
        while (tail < a.Length - head && tail < b.Length - head && a[^(tail + 1)] == b[^(tail + 1)]) tail++;
        var oldMiddle = a[head..^tail];
        var newMiddle = b[head..^tail];

        var diff = new StringBuilder();
        if ((long)oldMiddle.Length * newMiddle.Length > (long)MaxMiddle * MaxMiddle)
        {
            foreach (var line in oldMiddle) diff.Append("- ").Append(line).Append('\n');
            foreach (var line in newMiddle) diff.Append("+ ").Append(line).Append('\n');
            return diff.ToString();
        }

        // lcs[i, j] = length of the longest common subsequence of oldMiddle[i..] and newMiddle[j..]
        var lcs = new int[oldMiddle.Length + 1, newMiddle.Length + 1];
        for (var i = oldMiddle.Length - 1; i >= 0; i--)
            for (var j = newMiddle.Length - 1; j >= 0; j--)
                lcs[i, j] = oldMiddle[i] == newMiddle[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        int x = 0, y = 0;
        while (x < oldMiddle.Length || y < newMiddle.Length)
        {
            if (x < oldMiddle.Length && y < newMiddle.Length && oldMiddle[x] == newMiddle[y]) { x++; y++; }
            else if (x < oldMiddle.Length && (y == newMiddle.Length || lcs[x + 1, y] >= lcs[x, y + 1])) diff.Append("- ").Append(oldMiddle[x++]).Append('\n');
            else diff.Append("+ ").Append(newMiddle[y++]).Append('\n');
        }
        return diff.ToString();
    }

    private static string[] Lines(string text) =>
        text.Length == 0 ? [] : text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
}
