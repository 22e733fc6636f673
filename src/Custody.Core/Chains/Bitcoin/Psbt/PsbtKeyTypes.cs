namespace Custody.Core.Chains.Bitcoin.Psbt;

/// <summary>Key types of the global map (BIP174, BIP370 for the version 2 ones a v0 PSBT must not carry).</summary>
public static class PsbtGlobalKey
{
    public const byte UnsignedTx = 0x00;
    public const byte Xpub = 0x01;
    public const byte TxVersion = 0x02;
    public const byte FallbackLocktime = 0x03;
    public const byte InputCount = 0x04;
    public const byte OutputCount = 0x05;
    public const byte TxModifiable = 0x06;
    public const byte Version = 0xfb;
    public const byte Proprietary = 0xfc;

    public static string Name(ulong keyType) => keyType switch
    {
        UnsignedTx => "unsigned_tx",
        Xpub => "xpub",
        TxVersion => "tx_version",
        FallbackLocktime => "fallback_locktime",
        InputCount => "input_count",
        OutputCount => "output_count",
        TxModifiable => "tx_modifiable",
        Version => "version",
        Proprietary => "proprietary",
        _ => $"unknown_0x{keyType:x2}",
    };
}

/// <summary>Key types of an input map (BIP174, BIP371 taproot, BIP370 version 2 ones refused in v0).</summary>
public static class PsbtInputKey
{
    public const byte NonWitnessUtxo = 0x00;
    public const byte WitnessUtxo = 0x01;
    public const byte PartialSig = 0x02;
    public const byte SighashType = 0x03;
    public const byte RedeemScript = 0x04;
    public const byte WitnessScript = 0x05;
    public const byte Bip32Derivation = 0x06;
    public const byte FinalScriptSig = 0x07;
    public const byte FinalScriptWitness = 0x08;
    public const byte PorCommitment = 0x09;
    public const byte Ripemd160 = 0x0a;
    public const byte Sha256 = 0x0b;
    public const byte Hash160 = 0x0c;
    public const byte Hash256 = 0x0d;
    public const byte PreviousTxid = 0x0e;
    public const byte OutputIndex = 0x0f;
    public const byte Sequence = 0x10;
    public const byte RequiredTimeLocktime = 0x11;
    public const byte RequiredHeightLocktime = 0x12;
    public const byte TapKeySig = 0x13;
    public const byte TapScriptSig = 0x14;
    public const byte TapLeafScript = 0x15;
    public const byte TapBip32Derivation = 0x16;
    public const byte TapInternalKey = 0x17;
    public const byte TapMerkleRoot = 0x18;
    public const byte Proprietary = 0xfc;

    public static string Name(ulong keyType) => keyType switch
    {
        NonWitnessUtxo => "non_witness_utxo",
        WitnessUtxo => "witness_utxo",
        PartialSig => "partial_sig",
        SighashType => "sighash_type",
        RedeemScript => "redeem_script",
        WitnessScript => "witness_script",
        Bip32Derivation => "bip32_derivation",
        FinalScriptSig => "final_scriptsig",
        FinalScriptWitness => "final_scriptwitness",
        PorCommitment => "por_commitment",
        Ripemd160 => "ripemd160",
        Sha256 => "sha256",
        Hash160 => "hash160",
        Hash256 => "hash256",
        PreviousTxid => "previous_txid",
        OutputIndex => "output_index",
        Sequence => "sequence",
        RequiredTimeLocktime => "required_time_locktime",
        RequiredHeightLocktime => "required_height_locktime",
        TapKeySig => "tap_key_sig",
        TapScriptSig => "tap_script_sig",
        TapLeafScript => "tap_leaf_script",
        TapBip32Derivation => "tap_bip32_derivation",
        TapInternalKey => "tap_internal_key",
        TapMerkleRoot => "tap_merkle_root",
        Proprietary => "proprietary",
        _ => $"unknown_0x{keyType:x2}",
    };
}

/// <summary>Key types of an output map (BIP174, BIP371 taproot, BIP370 version 2 ones refused in v0).</summary>
public static class PsbtOutputKey
{
    public const byte RedeemScript = 0x00;
    public const byte WitnessScript = 0x01;
    public const byte Bip32Derivation = 0x02;
    public const byte Amount = 0x03;
    public const byte Script = 0x04;
    public const byte TapInternalKey = 0x05;
    public const byte TapTree = 0x06;
    public const byte TapBip32Derivation = 0x07;
    public const byte Proprietary = 0xfc;

    public static string Name(ulong keyType) => keyType switch
    {
        RedeemScript => "redeem_script",
        WitnessScript => "witness_script",
        Bip32Derivation => "bip32_derivation",
        Amount => "amount",
        Script => "script",
        TapInternalKey => "tap_internal_key",
        TapTree => "tap_tree",
        TapBip32Derivation => "tap_bip32_derivation",
        Proprietary => "proprietary",
        _ => $"unknown_0x{keyType:x2}",
    };
}
