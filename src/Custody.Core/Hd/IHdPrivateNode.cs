namespace Custody.Core.Hd;

/// <summary>
/// A private node of an HD tree (BIP32 secp256k1 or SLIP-10 ed25519): one step of
/// derivation and an independent copy. Lets <see cref="DerivationCache{TNode}"/> serve both curves.
/// </summary>
public interface IHdPrivateNode<TSelf> : IDisposable where TSelf : IHdPrivateNode<TSelf>
{
    /// <summary>Distance from the master key.</summary>
    int Depth { get; }

    /// <summary>The child at <paramref name="index"/> (bit 31 set for a hardened step); the caller owns it.</summary>
    TSelf Derive(uint index);

    /// <summary>An independent copy the caller owns and disposes.</summary>
    TSelf Copy();
}
