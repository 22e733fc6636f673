using Custody.Core.Chains.Bitcoin;
using Custody.Core.Hd;
using Custody.Core.Hd.Bip32;

namespace Custody.Core.Chains;

/// <summary>
/// One chain family (DESIGN.md "Layout"): everything that differs between families, behind one
/// object in the family's folder — its chains, transaction codec, address formats and their
/// validation, derivation schemes, signer selection, off-chain messages and the traits the policy
/// needs. <see cref="ChainRegistry.Families"/> registers each family once; code outside Chains/
/// asks a chain's <see cref="Chain.Family"/> and never branches on which family it is.
/// </summary>
public abstract class ChainFamily
{
    /// <summary>The family's name in messages: "Bitcoin", "Evm", "Tron", "Solana".</summary>
    public abstract string Name { get; }

    /// <summary>The chains with a fixed id (and display name) in this family.</summary>
    public abstract IReadOnlyList<Chain> Presets { get; }

    /// <summary>The shape of the ids this family accepts beyond its presets (e.g. "evm:&lt;chainId&gt;"), or null.</summary>
    public virtual string? IdPattern => null;

    /// <summary>A chain of this family by an id that is not a preset's (e.g. "evm:12345"), or false.</summary>
    public virtual bool TryParseId(string id, out Chain? chain)
    {
        chain = null;
        return false;
    }

    /// <summary>The codec of <paramref name="chain"/>'s unsigned transactions.</summary>
    public abstract ITransactionCodec Codec(Chain chain);

    /// <summary>
    /// The derivation standards <paramref name="chain"/> uses, the default first. By default one:
    /// BIP44 (m/44'/coin'/account'/change/index) with the family's one address format.
    /// </summary>
    public virtual IReadOnlyList<DerivationScheme> Schemes(Chain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        return [new DerivationScheme(44, chain.CoinType, null, DerivationLayout.Bip44)];
    }

    /// <summary>The address of <paramref name="publicKey"/> in the format <paramref name="scheme"/> fixes.</summary>
    public abstract string Address(Chain chain, ReadOnlySpan<byte> publicKey, DerivationScheme scheme);

    /// <summary>Validates an address of <paramref name="chain"/> and returns its canonical text; InvalidInputException("address", reason) otherwise.</summary>
    public abstract string NormalizeAddress(Chain chain, string text);

    /// <summary>
    /// The address kind a path's purpose fixes, for families with several kinds (BIP44 / 49 / 84 / 86);
    /// null where the family has one address format. Throws when the family has kinds and the path
    /// fixes none.
    /// </summary>
    public virtual BitcoinAddressKind? AddressKindOf(KeyPath path) => null;

    /// <summary>
    /// The key that signs a request on <paramref name="chain"/> at the caller's account and index, or
    /// null when the payload names its own keys (a PSBT's derivations). Account chains: the default
    /// scheme's address path.
    /// </summary>
    public virtual KeyPath? SignerPath(Chain chain, uint account, uint index)
    {
        if (account >= KeyPath.HardenedBit) throw new InvalidInputException("signer.account", "must be below 2^31");
        if (index >= KeyPath.HardenedBit) throw new InvalidInputException("signer.index", "must be below 2^31");
        return DerivationScheme.Default(chain).AddressPath(index, account);
    }

    /// <summary>An account's extended public key as this family prints it (Bitcoin: the network's version bytes).</summary>
    public virtual string AccountKeyText(Chain chain, ExtendedPublicKey accountKey)
    {
        ArgumentNullException.ThrowIfNull(accountKey);
        return accountKey.ToBase58(ExtendedKeyVersion.Xpub);
    }

    /// <summary>How this family signs off-chain messages (EIP-191, EIP-712), or null when it signs none.</summary>
    public virtual IOffChainMessages? Messages => null;

    /// <summary>Policy trait: whether outputs may carry assets other than the native one (token contracts, mints).</summary>
    public abstract bool HasTokens { get; }

    /// <summary>Policy trait: whether a transaction's size is measured (<see cref="TransactionIntent.VirtualSize"/>), so a fee-rate cap can judge it.</summary>
    public virtual bool HasFeeRate => false;

    /// <summary>
    /// Policy trait: whether inputs spend earlier outputs whose amounts a signature may not commit to
    /// (<see cref="TransactionIntent.WitnessUtxoOnlyInputs"/>), so the requireFullPrevTx switch applies; it is on by default there.
    /// </summary>
    public virtual bool HasUnprovenInputAmounts => false;

    /// <summary>Policy trait: a contract call's selector in the form policies and intents compare.</summary>
    public virtual string NormalizeSelector(string selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return selector.Trim();
    }

    /// <summary>Policy trait: why <paramref name="selector"/> (normalised, not "*") cannot be a selector here, or null.</summary>
    public virtual string? SelectorError(string selector) => null;

    /// <summary>
    /// Policy trait: whether <paramref name="next"/> may replace <paramref name="previous"/>, signed
    /// under a shared replay key (the conflict key the codec puts in <see cref="TransactionIntent.ReplayKeys"/>).
    /// Both are for one chain of this family. By default nothing replaces anything.
    /// </summary>
    public virtual bool AllowsReplacement(TransactionIntent previous, TransactionIntent next, out string reason)
    {
        reason = $"no transaction of the {Name} family may replace another";
        return false;
    }

    public override string ToString() => Name;
}

/// <summary>A family whose chains carry network parameters of type <typeparamref name="TNetwork"/>.</summary>
public abstract class ChainFamily<TNetwork> : ChainFamily where TNetwork : ChainNetwork
{
    /// <summary>The network parameters of a chain of this family: the one place they are taken out of <see cref="Chain.Network"/>.</summary>
    public static TNetwork NetworkOf(Chain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        return chain.Network as TNetwork ?? throw new ArgumentException($"{chain.Id} has no {typeof(TNetwork).Name}", nameof(chain));
    }
}

/// <summary>The parameters that set one network of a family apart from the others (address prefixes, chain id…).</summary>
public abstract record ChainNetwork;

/// <summary>A family's off-chain message signing: decode to the digest and notes the policy judges, then sign the digest.</summary>
public interface IOffChainMessages
{
    /// <summary>Decodes <paramref name="message"/> for <paramref name="chain"/>; InvalidInputException naming the field.</summary>
    DecodedMessage Decode(Chain chain, OffChainMessage message);

    /// <summary>Signs a decoded message's digest, verified before it returns.</summary>
    SignedMessage Sign(IKeyRing keys, KeyPath path, ReadOnlySpan<byte> digest);
}

/// <summary>An off-chain message a client asks to have signed.</summary>
public abstract record OffChainMessage;

/// <summary>EIP-191 personal_sign bytes (and TRON's variant of it).</summary>
public sealed record PersonalMessage(byte[] Bytes) : OffChainMessage;

/// <summary>EIP-712 typed data as JSON; errors name their place under <paramref name="Field"/>.</summary>
public sealed record TypedDataMessage(string Json, string Field) : OffChainMessage;

/// <summary>A message signature and the address that produced it.</summary>
public sealed record SignedMessage(byte[] Signature, string SignerAddress);
