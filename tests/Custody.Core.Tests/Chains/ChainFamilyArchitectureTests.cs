using System.Text.RegularExpressions;
using Custody.Core.Chains;
using Custody.Core.Crypto;
using Custody.Core.Hd;

namespace Custody.Core.Tests.Chains;

/// <summary>
/// DESIGN.md: a chain family is one object, in one folder, registered once; a switch over families
/// outside Core/Chains is a defect. These tests hold every family in the Core assembly to that,
/// and each check is first shown to catch what it looks for.
/// </summary>
public class ChainFamilyArchitectureTests
{
    private static readonly Type[] FamilyTypes = typeof(ChainFamily).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(ChainFamily)) && !t.IsAbstract).ToArray();

    [Fact]
    public void Every_family_in_Core_is_registered_once_and_lives_in_its_own_folder()
    {
        Assert.Empty(RegistrationProblems(FamilyTypes, ChainRegistry.Families));
    }

    [Fact]
    public void The_registration_check_finds_a_family_left_out()
    {
        var registered = ChainRegistry.Families.Skip(1).ToArray();
        Assert.Contains(RegistrationProblems(FamilyTypes, registered), p => p.Contains("not registered", StringComparison.Ordinal));
        Assert.Contains(RegistrationProblems(FamilyTypes, [.. ChainRegistry.Families, ChainRegistry.Families[0]]),
            p => p.Contains("registered 2 times", StringComparison.Ordinal));
    }

    public static TheoryData<string> Families() => [.. ChainRegistry.Families.Select(f => f.Name)];

    /// <summary>What every family must do for every one of its chains, whatever it is.</summary>
    [Theory]
    [MemberData(nameof(Families))]
    public void Every_registered_family_serves_each_of_its_chains(string name)
    {
        var family = ChainRegistry.Families.Single(f => f.Name == name);
        Assert.NotEmpty(family.Presets);
        foreach (var chain in family.Presets)
        {
            Assert.Same(family, chain.Family);
            Assert.Same(chain, ChainRegistry.Get(chain.Id));
            Assert.Same(chain, chain.Codec().Chain);
            Assert.NotNull(chain.NativeUnit); // amounts shown to people ("0.01 ETH")

            var schemes = DerivationScheme.For(chain);
            Assert.NotEmpty(schemes);
            using var keys = TrezorAllMnemonic.KeyRing(chain.Curve);
            foreach (var scheme in schemes)
            {
                Assert.Equal(chain.CoinType, scheme.CoinType);
                var address = ChainAddresses.Derive(chain, keys.GetPublicKey(scheme.AddressPath(0)), scheme.AddressKind);
                Assert.Equal(address, ChainAddresses.Normalize(chain, address));
                Assert.Equal(scheme, DerivationScheme.Match(chain, scheme.AddressPath(0)));
            }
            // Signer selection answers for the first key without throwing: a path, or none when the payload names its keys.
            if (family.SignerPath(chain, 0, 0) is { } path) Assert.Equal(DerivationScheme.Default(chain).AddressPath(0), path);
        }
    }

    [Fact]
    public void No_code_outside_Core_Chains_branches_on_a_family()
    {
        var root = Path.Combine(Repository.Root, "src");
        var chains = Path.Combine(root, "Custody.Core", "Chains") + Path.DirectorySeparatorChar;
        var findings = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(chains, StringComparison.Ordinal) && !IsGenerated(f))
            .SelectMany(f => FamilyBranches(File.ReadAllText(f)).Select(line => $"{Path.GetRelativePath(root, f)}: {line}"))
            .ToList();
        Assert.Empty(findings);
    }

    [Theory]
    [InlineData("if (chain.Family == BitcoinFamily.Instance) return null;")]
    [InlineData("if (chain.Family != EvmFamily.Instance) throw new X();")]
    [InlineData("var kind = chain.Family is TronFamily ? 1 : 2;")]
    [InlineData("return chain.Family switch { SolanaFamily => 1, _ => 2 };")]
    [InlineData("if (chain.Network is BitcoinNetwork network) Use(network);")]
    [InlineData("var id = ((EvmNetwork)chain.Network).ChainId;")]
    [InlineData("var network = BitcoinFamily.NetworkOf(chain);")]
    public void The_branch_finder_finds_a_switch_over_families(string line) =>
        Assert.Equal([line], FamilyBranches(line));

    [Theory]
    [InlineData("var codec = chain.Codec();")]
    [InlineData("if (!chain.Family.HasFeeRate) throw x;")]
    [InlineData("var scheme = DerivationScheme.Select(chain, kind);")]
    public void The_branch_finder_leaves_family_neutral_code_alone(string line) =>
        Assert.Empty(FamilyBranches(line));

    // A test of which family a chain has, or of which network type it carries.
    private static readonly Regex FamilyBranch = new(
        @"Family\s*(?:==|!=|\bis\b|\bswitch\b)|\.Network\s+(?:is|as)\b|\(\s*\w+Network\s*\)\s*\w+\.Network", RegexOptions.Compiled);

    private static IEnumerable<string> FamilyBranches(string source) =>
        source.Split('\n').Select(l => l.Trim()).Where(l => !l.StartsWith("//", StringComparison.Ordinal) && !l.StartsWith("///", StringComparison.Ordinal))
            .Where(l => FamilyBranch.IsMatch(l) || ConcreteFamilyName.IsMatch(l));

    // A concrete family named: only its own folder and the registration may.
    private static readonly Regex ConcreteFamilyName = new(
        @"\b(?:" + string.Join("|", ChainRegistry.Families.Select(f => f.GetType().Name)) + @")\b", RegexOptions.Compiled);

    private static IEnumerable<string> RegistrationProblems(IEnumerable<Type> familyTypes, IReadOnlyList<ChainFamily> registered)
    {
        foreach (var type in familyTypes)
        {
            var count = registered.Count(f => f.GetType() == type);
            if (count == 0) yield return $"{type.FullName} is not registered in ChainRegistry.Families";
            else if (count > 1) yield return $"{type.FullName} is registered {count} times";
            // Custody.Core.Chains.<Folder>.<Folder>Family: one family per folder, named after it.
            var folder = type.Namespace?.Split('.') is [.., "Chains", var last] ? last : null;
            if (folder is null || type.Name != folder + "Family")
                yield return $"{type.FullName} is not Custody.Core.Chains.<Folder>.<Folder>Family";
        }
        foreach (var group in familyTypes.GroupBy(t => t.Namespace).Where(g => g.Count() > 1))
            yield return $"{group.Key} holds {group.Count()} families";
        var ids = registered.Distinct().SelectMany(f => f.Presets).GroupBy(c => c.Id, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1);
        foreach (var id in ids) yield return $"chain id {id.Key} is defined {id.Count()} times";
    }

    private static bool IsGenerated(string path) =>
        path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ||
        path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal);
}
