using Custody.Core;

namespace Custody.Core.Ledger;

/// <summary>What a principal may do. Separate duties: an admin manages, it does not sign.</summary>
[Flags]
public enum Roles
{
    None = 0,
    /// <summary>Asks for signatures and addresses.</summary>
    Signer = 1,
    /// <summary>Approves or rejects parked requests.</summary>
    Approver = 2,
    /// <summary>Reads and verifies the audit log.</summary>
    Auditor = 4,
    /// <summary>Creates wallets, sets and freezes policy.</summary>
    Admin = 8,
}

/// <summary>The text form of <see cref="Roles"/>: lowercase names, comma-separated.</summary>
public static class RoleNames
{
    private static readonly (Roles Role, string Name)[] Names =
        [(Roles.Signer, "signer"), (Roles.Approver, "approver"), (Roles.Auditor, "auditor"), (Roles.Admin, "admin")];

    public static Roles Parse(string text)
    {
        var roles = Roles.None;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = Array.Find(Names, n => n.Name.Equals(part, StringComparison.OrdinalIgnoreCase));
            if (match.Name is null)
                throw new InvalidInputException("roles", $"unknown role '{(part.Length > 16 ? part[..16] + "…" : part)}' (known: signer, approver, auditor, admin)");
            roles |= match.Role;
        }
        if (roles == Roles.None) throw new InvalidInputException("roles", "at least one role is needed");
        return roles;
    }

    public static IReadOnlyList<string> ToList(Roles roles) =>
        [.. Names.Where(n => roles.HasFlag(n.Role)).Select(n => n.Name)];

    public static string Format(Roles roles) => string.Join(',', ToList(roles));
}
