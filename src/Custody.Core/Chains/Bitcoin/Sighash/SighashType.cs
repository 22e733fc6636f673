namespace Custody.Core.Chains.Bitcoin.Sighash;

/// <summary>
/// Signature hash types: which parts of the transaction a signature commits to.
/// Custody signs ALL (ECDSA) and DEFAULT (taproot) unless a PSBT asks otherwise, and
/// reports any other type to the policy (see <see cref="Describe"/>).
/// </summary>
public static class SighashType
{
    /// <summary>Taproot only: like ALL, without a sighash byte on the signature.</summary>
    public const byte Default = 0x00;
    public const byte All = 0x01;
    public const byte None = 0x02;
    public const byte Single = 0x03;
    public const byte AnyoneCanPay = 0x80;

    /// <summary>A type Bitcoin Core relays for ECDSA (legacy and segwit v0) signatures.</summary>
    public static bool IsValidEcdsa(uint type) => type is All or None or Single or (AnyoneCanPay | All) or (AnyoneCanPay | None) or (AnyoneCanPay | Single);

    /// <summary>A type BIP341 defines for taproot signatures.</summary>
    public static bool IsValidTaproot(uint type) => type == Default || IsValidEcdsa(type);

    /// <summary>The base type (ALL, NONE, SINGLE) without the ANYONECANPAY flag.</summary>
    public static uint BaseType(uint type) => type & 0x1f;

    public static bool HasAnyoneCanPay(uint type) => (type & AnyoneCanPay) != 0;

    /// <summary>"ALL", "NONE|ANYONECANPAY", "DEFAULT"; an undefined type prints as hex.</summary>
    public static string Describe(uint type)
    {
        if (type == Default) return "DEFAULT";
        if (!IsValidEcdsa(type)) return $"0x{type:x2}";
        var name = BaseType(type) switch
        {
            All => "ALL",
            None => "NONE",
            _ => "SINGLE",
        };
        return HasAnyoneCanPay(type) ? name + "|ANYONECANPAY" : name;
    }
}
