namespace Custody.Core.Policy;

/// <summary>Calls into <paramref name="Contract"/> with one of <paramref name="Selectors"/> ("*" allows any).</summary>
public sealed record ContractCallRule(string Contract, IReadOnlySet<string> Selectors)
{
    public const string AnySelector = "*";

    public bool Allows(string selector) => Selectors.Contains(AnySelector) || Selectors.Contains(selector);
}
