using System.Text;

namespace Custody.Core.Chains.Bitcoin.Descriptors;

/// <summary>
/// A parsed output script descriptor (BIP380–387, BIP389 multipath): the scripts and addresses
/// of an account at each index. Public keys only. With a multipath step &lt;0;1&gt; branch 0 is
/// the receive chain and branch 1 the change chain; a descriptor without one is a single chain.
/// </summary>
public sealed class OutputDescriptor
{
    private OutputDescriptor(DescriptorNode root, int branches)
    {
        Root = root;
        Branches = branches;
    }

    public DescriptorNode Root { get; }

    /// <summary>Multipath alternatives (1 without a multipath step).</summary>
    public int Branches { get; }

    /// <summary>Whether any key ends in /*, so the descriptor describes one script per index.</summary>
    public bool IsRanged => Root.Keys.Any(k => k.IsRanged);

    /// <summary>
    /// Parses a descriptor, verifying its checksum when it has one (<paramref name="requireChecksum"/>
    /// makes it mandatory). Private keys (WIF, xprv) are refused unless <paramref name="allowPrivateKeys"/>:
    /// then each is turned into its public key during parsing and nothing secret is kept.
    /// </summary>
    public static OutputDescriptor Parse(string text, bool requireChecksum = false, bool allowPrivateKeys = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > DescriptorParser.MaxLength + 1 + DescriptorChecksum.Length)
            throw new InvalidInputException("descriptor", $"longer than {DescriptorParser.MaxLength} characters");
        var body = DescriptorChecksum.Strip(text, out var hadChecksum);
        if (requireChecksum && !hadChecksum)
            throw new InvalidInputException("descriptor", "has no checksum (#xxxxxxxx); add the one your wallet shows, so a typo cannot change the account");
        var root = DescriptorParser.Parse(body, allowPrivateKeys, out var branches);
        return new OutputDescriptor(root, branches);
    }

    /// <summary>The output script at <paramref name="index"/> on <paramref name="branch"/> (0 receive, 1 change for &lt;0;1&gt;).</summary>
    public byte[] ScriptPubKey(int branch, uint index)
    {
        RequireBranch(branch);
        if (index >= Hd.KeyPath.HardenedBit) throw new InvalidInputException("index", "a derivation index is below 2^31");
        return Root.Script(branch, index);
    }

    /// <summary>The address at the index, refused where <paramref name="network"/> lacks the script kind (e.g. segwit on Dogecoin).</summary>
    public string Address(BitcoinNetwork network, int branch, uint index)
    {
        ArgumentNullException.ThrowIfNull(network);
        var script = ScriptPubKey(branch, index);
        if (BitcoinScript.TryGetWitnessProgram(script, out var version, out _) &&
            (!network.SupportsSegwit || (version == 1 && !network.SupportsTaproot)))
            throw new InvalidInputException("descriptor", $"{network.Name} has no {(version == 0 ? "segwit" : "taproot")} outputs");
        return BitcoinAddress.TryFromScriptPubKey(script, network, out var address)
            ? address
            : throw new InvalidInputException("descriptor", "its script (a bare pk() or multi()) has no address");
    }

    /// <summary>The descriptor as text with its checksum, extended keys in <paramref name="network"/>'s version bytes.</summary>
    public string ToString(BitcoinNetwork network)
    {
        var text = new StringBuilder();
        Root.Write(text, network);
        var body = text.ToString();
        return body + "#" + DescriptorChecksum.Compute(body);
    }

    private void RequireBranch(int branch)
    {
        if (branch < 0 || branch >= Branches)
            throw new InvalidInputException("branch", Branches == 1 ? "this descriptor has no multipath step: use branch 0" : $"must be 0 to {Branches - 1}");
    }
}
