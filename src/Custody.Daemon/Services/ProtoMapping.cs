using System.Globalization;
using Custody.Core;
using Custody.Core.Chains;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Ledger;
using Google.Protobuf.WellKnownTypes;

namespace Custody.Daemon.Services;

/// <summary>Between the wire and the domain: the only place that knows both spellings.</summary>
public static class ProtoMapping
{
    public static Core.Chains.KeyCurve? ToCurve(V1.KeyCurve curve) => curve switch
    {
        V1.KeyCurve.Unspecified => null,
        V1.KeyCurve.Secp256K1 => Core.Chains.KeyCurve.Secp256k1,
        V1.KeyCurve.Ed25519 => Core.Chains.KeyCurve.Ed25519,
        _ => throw new InvalidInputException("curve", "unknown curve"),
    };

    public static V1.KeyCurve ToProto(Core.Chains.KeyCurve? curve) => curve switch
    {
        Core.Chains.KeyCurve.Secp256k1 => V1.KeyCurve.Secp256K1,
        Core.Chains.KeyCurve.Ed25519 => V1.KeyCurve.Ed25519,
        _ => V1.KeyCurve.Unspecified,
    };

    public static WalletKind ToKind(V1.WalletKind kind) => kind switch
    {
        V1.WalletKind.Hd => WalletKind.Hd,
        V1.WalletKind.HsmNative => WalletKind.HsmNative,
        _ => throw new InvalidInputException("kind", "choose WALLET_KIND_HD or WALLET_KIND_HSM_NATIVE"),
    };

    public static BitcoinAddressKind? ToAddressKind(V1.AddressKind kind) => kind switch
    {
        V1.AddressKind.Unspecified => null,
        V1.AddressKind.P2Pkh => BitcoinAddressKind.P2pkh,
        V1.AddressKind.P2ShP2Wpkh => BitcoinAddressKind.P2shP2wpkh,
        V1.AddressKind.P2Wpkh => BitcoinAddressKind.P2wpkh,
        V1.AddressKind.P2Tr => BitcoinAddressKind.P2tr,
        _ => throw new InvalidInputException("kind", "unknown address kind"),
    };

    public static V1.AddressKind ToProto(BitcoinAddressKind? kind) => kind switch
    {
        BitcoinAddressKind.P2pkh => V1.AddressKind.P2Pkh,
        BitcoinAddressKind.P2shP2wpkh => V1.AddressKind.P2ShP2Wpkh,
        BitcoinAddressKind.P2wpkh => V1.AddressKind.P2Wpkh,
        BitcoinAddressKind.P2tr => V1.AddressKind.P2Tr,
        _ => V1.AddressKind.Unspecified,
    };

    public static V1.Account ToProto(Wallets.DescriptorAccountView account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return new V1.Account
        {
            WalletId = account.Record.WalletId,
            Name = account.Record.Name,
            Chain = account.Record.Chain,
            OutputDescriptor = account.Record.Descriptor,
            OurKeys = { Wallets.DescriptorAccounts.OurKeyTexts(account) },
            CreatedAt = Timestamp.FromDateTimeOffset(account.Record.CreatedAt),
        };
    }

    public static Core.Chains.Bitcoin.Descriptors.MultisigScriptType ToScriptType(V1.MultisigScriptType type) => type switch
    {
        V1.MultisigScriptType.P2Wsh => Core.Chains.Bitcoin.Descriptors.MultisigScriptType.P2wsh,
        V1.MultisigScriptType.P2ShP2Wsh => Core.Chains.Bitcoin.Descriptors.MultisigScriptType.P2shP2wsh,
        V1.MultisigScriptType.P2Sh => Core.Chains.Bitcoin.Descriptors.MultisigScriptType.P2sh,
        V1.MultisigScriptType.P2Tr => Core.Chains.Bitcoin.Descriptors.MultisigScriptType.P2tr,
        _ => throw new InvalidInputException("cosigners.script_type", "MULTISIG_SCRIPT_TYPE_P2WSH, _P2SH_P2WSH, _P2SH or _P2TR"),
    };

    public static V1.Wallet ToProto(WalletRecord wallet) => new()
    {
        WalletId = wallet.WalletId,
        Name = wallet.Name,
        Kind = wallet.Kind == WalletKind.Hd ? V1.WalletKind.Hd : V1.WalletKind.HsmNative,
        Curve = ToProto(wallet.Curve),
        MasterFingerprint = wallet.MasterFingerprint is { } fp ? fp.ToString("x8", CultureInfo.InvariantCulture) : "",
        PublicKey = wallet.PublicKey is { } pub ? Convert.ToHexStringLower(pub) : "",
        CreatedAt = Timestamp.FromDateTimeOffset(wallet.CreatedAt),
        Backup = wallet.Backup switch
        {
            WalletBackup.None => V1.WalletBackup.NoneAcknowledged,
            WalletBackup.Ceremony => V1.WalletBackup.Ceremony,
            _ => V1.WalletBackup.Unrecorded,
        },
    };

    public static V1.TransactionIntent ToProto(TransactionIntent intent, string account = "")
    {
        var proto = new V1.TransactionIntent
        {
            Account = account,
            Chain = intent.Chain.Id,
            Sources = { intent.Sources },
            Fee = intent.Fee.ToString(CultureInfo.InvariantCulture),
            ReplayKeys = { intent.ReplayKeys },
            Notes = { intent.Notes },
        };
        foreach (var output in intent.Outputs)
        {
            proto.Outputs.Add(new V1.IntentOutput
            {
                Destination = output.Destination ?? "",
                Asset = output.Asset,
                Amount = output.Amount.ToString(CultureInfo.InvariantCulture),
                IsChange = output.IsChange,
            });
        }
        if (intent.Call is { } call)
            proto.Call = new V1.ContractCall { Contract = call.Contract, Selector = call.Selector, Value = call.Value.ToString(CultureInfo.InvariantCulture) };
        return proto;
    }

    /// <summary>The off-chain message a SignMessage request carries: EIP-191 personal_message or EIP-712 typed_data_json.</summary>
    public static OffChainMessage ToMessage(V1.SignMessageRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.MessageCase switch
        {
            V1.SignMessageRequest.MessageOneofCase.PersonalMessage => new PersonalMessage(request.PersonalMessage.ToByteArray()),
            V1.SignMessageRequest.MessageOneofCase.TypedDataJson => new TypedDataMessage(request.TypedDataJson, "typed_data_json"),
            _ => throw new InvalidInputException("message", "give personal_message (EIP-191) or typed_data_json (EIP-712)"),
        };
    }

    /// <summary>A chain id from a request; the registry names the field on failure.</summary>
    public static Chain ToChain(string id)
    {
        if (string.IsNullOrWhiteSpace(id)) throw new InvalidInputException("chain", "empty; e.g. \"btc\", \"eth\", \"evm:137\", \"trx\", \"sol\"");
        return ChainRegistry.Get(id);
    }
}
