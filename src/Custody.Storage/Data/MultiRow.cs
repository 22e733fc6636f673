namespace Custody.Storage.Data;

/// <summary>
/// One statement for many rows: <c>PREFIX VALUES (…), (…) SUFFIX</c>, in chunks of 64, 16, 4 and 1
/// rows, so a batch's rows take a few round trips of four fixed shapes (each a cached, prepared
/// statement) instead of one each. Used where the rows are written while the audit head is held.
/// </summary>
internal sealed class MultiRow
{
    private static readonly int[] Sizes = [64, 16, 4, 1];

    private readonly string[] _columns;
    private readonly Dictionary<int, string> _texts;

    /// <param name="prefix">"INSERT INTO table (a, b)"</param>
    /// <param name="columns">Parameter names for the columns, in order (row i binds @name{i}).</param>
    /// <param name="suffix">"" or "ON CONFLICT … DO UPDATE …"</param>
    public MultiRow(string prefix, string[] columns, string suffix = "")
    {
        _columns = columns;
        _texts = Sizes.ToDictionary(n => n, n => $"{prefix} VALUES " +
            string.Join(", ", Enumerable.Range(0, n).Select(i => "(" + string.Join(", ", columns.Select(c => $"@{c}{i}")) + ")")) + (suffix.Length > 0 ? " " + suffix : ""));
    }

    public void Execute(Sql sql, IReadOnlyList<object?[]> rows)
    {
        for (var next = 0; next < rows.Count;)
        {
            var size = Sizes.First(n => n <= rows.Count - next);
            var args = new (string, object?)[size * _columns.Length];
            for (var i = 0; i < size; i++)
                for (var c = 0; c < _columns.Length; c++)
                    args[i * _columns.Length + c] = ($"@{_columns[c]}{i}", rows[next + i][c]);
            sql.Execute(_texts[size], args);
            next += size;
        }
    }
}
