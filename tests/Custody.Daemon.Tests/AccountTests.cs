using System.Security.Cryptography;
using Custody.Core.Audit;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Bitcoin.Descriptors;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Crypto;
using Custody.Core.Ledger;
using Custody.V1;
using MultisigScriptType = Custody.V1.MultisigScriptType;
using Grpc.Core;
using NBitcoin.WalletPolicies;
using NB = NBitcoin;

namespace Custody.Daemon.Tests;

/// <summary>
/// Descriptor (multisig) accounts through the API on the known-seed wallet: our cosigner key and
/// every address checked against NBitcoin, which derives the key from the BIP39 mnemonic and the
/// addresses from the descriptor on its own; refusals name the field; a PSBT signed with the
/// account named proves change against the account's change branch only.
/// </summary>
[Collection(DaemonCollection.Name)]
public class AccountTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
{
    private Metadata Admin => DaemonFixture.Bearer(daemon.AdminToken);
    private Metadata Signer => DaemonFixture.Bearer(daemon.SignerToken);

    private static readonly NB.ExtKey Ours = new NB.Mnemonic(KnownSeed.Mnemonic).DeriveExtKey();

    /// <summary>A cosigner's key as its wallet exports it: [fingerprint/path]xpub.</summary>
    private static string KeyOf(NB.ExtKey master, string path) =>
        $"[{master.GetPublicKey().GetHDFingerPrint()}/{path}]{master.Derive(new NB.KeyPath(path)).Neuter().ToString(NB.Network.Main)}";

    private static NB.ExtKey Cosigner(byte n) => NB.ExtKey.CreateFromSeed(SHA256.HashData([n, .. "custody account cosigner"u8]));

    private static readonly string[] Others = [KeyOf(Cosigner(1), "48h/0h/0h/2h"), KeyOf(Cosigner(2), "48h/0h/0h/2h")];

    private async Task<Account> CreateAsync(string walletId, string name, MultisigScriptType type, params string[] keys) =>
        await daemon.Wallets.CreateAccountAsync(new CreateAccountRequest
        {
            WalletId = walletId, Name = name, Chain = "btc",
            Cosigners = new Cosigners { Threshold = 2, ScriptType = type, Keys = { keys } },
        }, Admin);

    private async Task<ErrorInfoField> RefusedAsync(Func<AsyncUnaryCall<Account>> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await call());
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        var info = e.GetRpcStatus()!.GetDetail<Google.Rpc.ErrorInfo>();
        return new ErrorInfoField(info.Metadata["field"], e.Status.Detail);
    }

    private sealed record ErrorInfoField(string Field, string Detail);

    [Fact]
    public async Task Accounts_from_cosigner_xpubs_show_our_BIP48_key_and_derive_the_addresses_NBitcoin_derives()
    {
        var walletId = await KnownSeed.ImportAsync(daemon, "multisig vectors");
        foreach (var (type, script) in new[]
        {
            (MultisigScriptType.P2Wsh, "2h"), (MultisigScriptType.P2ShP2Wsh, "1h"), (MultisigScriptType.P2Sh, "0h"), (MultisigScriptType.P2Tr, "3h"),
        })
        {
            var account = await CreateAsync(walletId, "vault-" + type, type, Others);
            var ourKey = KeyOf(Ours, "48h/0h/0h/" + script);
            Assert.Equal([ourKey], account.OurKeys);
            Assert.Contains(ourKey + "/<0;1>/*", account.OutputDescriptor, StringComparison.Ordinal);
            Assert.Equal(account, await daemon.Wallets.GetAccountAsync(new GetAccountRequest { WalletId = walletId, Name = account.Name }, Signer));

            // NBitcoin parses the descriptor (its checksum included) and derives both branches itself.
            var theirs = Miniscript.Parse(account.OutputDescriptor, new MiniscriptParsingSettings(NB.Network.Main) { Dialect = MiniscriptDialect.BIP388 });
            foreach (var (change, intent) in new[] { (false, AddressIntent.Deposit), (true, AddressIntent.Change) })
                foreach (var index in new uint[] { 0, 1, 1000 })
                {
                    var expected = theirs.Derive(intent, (int)index).Miniscript.ToScripts().ScriptPubKey;
                    var derived = await daemon.Wallets.DeriveAccountAddressAsync(
                        new DeriveAccountAddressRequest { WalletId = walletId, Name = account.Name, Change = change, Index = index }, Signer);
                    Assert.Equal(expected.GetDestinationAddress(NB.Network.Main)!.ToString(), derived.Address);
                    Assert.Equal(expected.ToHex(), derived.ScriptPubKey);
                }
        }
        var listed = await daemon.Wallets.ListAccountsAsync(new ListAccountsRequest { WalletId = walletId }, Signer);
        Assert.Equal(4, listed.Accounts.Count);

        var records = await daemon.Ledger.Audit.QueryAsync(new AuditQuery { Action = AuditActions.AccountCreated, WalletId = walletId }, default);
        Assert.Equal(4, records.Count);
        Assert.Equal(("cosigners", "m/48'/0'/0'/2'"), (records[0].Details["via"], records[0].Details["our_path"]));
        Assert.Equal(listed.Accounts.Single(a => a.Name == records[0].Details["account"]).OutputDescriptor, records[0].Details["descriptor"]);
    }

    [Fact]
    public async Task An_account_from_a_descriptor_is_checked_for_its_checksum_and_a_key_of_ours()
    {
        var walletId = await KnownSeed.ImportAsync(daemon, "descriptor import");
        var ours = KeyOf(Ours, "48h/0h/0h/2h");
        var body = $"wsh(sortedmulti(2,{Others[0]}/<0;1>/*,{ours}/<0;1>/*,{Others[1]}/<0;1>/*))";
        var text = body + "#" + DescriptorChecksum.Compute(body);
        Task<Account> Create(string name, string descriptor) => daemon.Wallets.CreateAccountAsync(
            new CreateAccountRequest { WalletId = walletId, Name = name, Chain = "btc", OutputDescriptor = descriptor }, Admin).ResponseAsync;

        var imported = await Create("imported", text);
        Assert.Equal([ours], imported.OurKeys);
        Assert.Equal(OutputDescriptor.Parse(text).ToString(BitcoinNetwork.Mainnet), imported.OutputDescriptor);

        var wrongChecksum = text[..^1] + (text[^1] == 'q' ? 'p' : 'q');
        Assert.Equal("descriptor", (await RefusedAsync(() => daemon.Wallets.CreateAccountAsync(
            new CreateAccountRequest { WalletId = walletId, Name = "typo", Chain = "btc", OutputDescriptor = wrongChecksum }, Admin))).Field);
        Assert.Equal("descriptor", (await RefusedAsync(() => daemon.Wallets.CreateAccountAsync(
            new CreateAccountRequest { WalletId = walletId, Name = "unsummed", Chain = "btc", OutputDescriptor = body }, Admin))).Field);

        // No key of ours: three strangers.
        var strangers = $"wsh(sortedmulti(2,{Others[0]}/<0;1>/*,{KeyOf(Cosigner(3), "48h/0h/0h/2h")}/<0;1>/*,{Others[1]}/<0;1>/*))";
        var none = await RefusedAsync(() => daemon.Wallets.CreateAccountAsync(new CreateAccountRequest
            { WalletId = walletId, Name = "strangers", Chain = "btc", OutputDescriptor = strangers + "#" + DescriptorChecksum.Compute(strangers) }, Admin));
        Assert.Equal("descriptor", none.Field);
        Assert.Contains("holds no key of this wallet", none.Detail, StringComparison.Ordinal);

        // Our fingerprint in the origin, a stranger's xpub after it.
        var posing = "[" + Ours.GetPublicKey().GetHDFingerPrint() + Others[0][Others[0].IndexOf('/', StringComparison.Ordinal)..];
        var impostor = $"wsh(sortedmulti(2,{posing}/<0;1>/*,{Others[1]}/<0;1>/*))";
        var mismatch = await RefusedAsync(() => daemon.Wallets.CreateAccountAsync(new CreateAccountRequest
            { WalletId = walletId, Name = "impostor", Chain = "btc", OutputDescriptor = impostor + "#" + DescriptorChecksum.Compute(impostor) }, Admin));
        Assert.Equal("descriptor", mismatch.Field);
        Assert.Contains("is not the one this wallet derives there", mismatch.Detail, StringComparison.Ordinal);

        Assert.Equal("name", (await RefusedAsync(() => daemon.Wallets.CreateAccountAsync(
            new CreateAccountRequest { WalletId = walletId, Name = "imported", Chain = "btc", OutputDescriptor = text }, Admin))).Field);
        Assert.Equal("cosigners[1]", (await RefusedAsync(() => daemon.Wallets.CreateAccountAsync(new CreateAccountRequest
        {
            WalletId = walletId, Name = "bare", Chain = "btc",
            Cosigners = new Cosigners { Threshold = 2, ScriptType = MultisigScriptType.P2Wsh, Keys = { Others[0], Others[1][(Others[1].IndexOf(']', StringComparison.Ordinal) + 1)..] } },
        }, Admin))).Field);
        Assert.Equal("threshold", (await RefusedAsync(() => daemon.Wallets.CreateAccountAsync(new CreateAccountRequest
        {
            WalletId = walletId, Name = "four-of-three", Chain = "btc",
            Cosigners = new Cosigners { Threshold = 4, ScriptType = MultisigScriptType.P2Wsh, Keys = { Others } },
        }, Admin))).Field);
        Assert.Single((await daemon.Wallets.ListAccountsAsync(new ListAccountsRequest { WalletId = walletId }, Signer)).Accounts);
    }

    [Fact]
    public async Task A_psbt_signed_with_the_account_named_has_change_only_on_the_accounts_change_branch()
    {
        var walletId = await KnownSeed.ImportAsync(daemon, "multisig signing");
        var account = await CreateAsync(walletId, "vault", MultisigScriptType.P2Wsh, Others);
        var descriptor = OutputDescriptor.Parse(account.OutputDescriptor, requireChecksum: true);
        // The same keys in another arrangement (1-of-3): our key is in it, but it is another descriptor.
        var other = OutputDescriptor.Parse(account.OutputDescriptor.Split('#')[0].Replace("sortedmulti(2,", "sortedmulti(1,", StringComparison.Ordinal));

        Task<SignTransactionResponse> Sign(string psbt, string accountName) => daemon.Signing.SignTransactionAsync(new SignTransactionRequest
        {
            RequestId = "acct-" + Guid.NewGuid().ToString("N"), WalletId = walletId, Chain = "btc", Payload = psbt, Account = accountName,
        }, Signer).ResponseAsync;

        var signed = await Sign(DescriptorPsbt.Spend(descriptor, changeTo: descriptor), "vault");
        Assert.Equal([false, true], signed.Intent.Outputs.Select(o => o.IsChange));
        Assert.Equal("vault", signed.Intent.Account);
        // Our signature on each input; the second of two is the cosigner's to add.
        Assert.All(PartiallySignedTransaction.ParseBase64(signed.SignedPayload).Inputs, i => Assert.Single(i.PartialSignatures));
        var record = (await daemon.Ledger.Audit.QueryAsync(new AuditQuery { Action = AuditActions.SignTransaction, WalletId = walletId }, default))[^1];
        Assert.Equal("vault", record.Details["account"]);

        // A cosigner signs the same PSBT with NBitcoin; CombinePsbt merges and finalises; NBitcoin verifies every input.
        var unsigned = DescriptorPsbt.Spend(descriptor, changeTo: descriptor);
        var ours = await Sign(unsigned, "vault");
        var theirs = NB.PSBT.Parse(unsigned, NB.Network.Main)
            .SignWithKeys(Cosigner(1).Derive(new NB.KeyPath("48'/0'/0'/2'/0/0")).PrivateKey, Cosigner(1).Derive(new NB.KeyPath("48'/0'/0'/2'/0/7")).PrivateKey);
        var combined = await daemon.Signing.CombinePsbtAsync(new CombinePsbtRequest { Chain = "btc", Psbts = { ours.SignedPayload, theirs.ToBase64() }, Finalize = true }, Signer);
        var final = NB.PSBT.Parse(combined.Psbt, NB.Network.Main);
        Assert.True(final.IsAllFinalized());
        var transaction = final.ExtractTransaction();
        Assert.Equal(combined.TxId, transaction.GetHash().ToString());
        Assert.Equal(combined.Transaction, transaction.ToHex());
        var builder = NB.Network.Main.CreateTransactionBuilder();
        builder.AddCoins(final.Inputs.Select(i => i.GetCoin()!));
        Assert.True(builder.Verify(transaction, out var errors), string.Join("; ", errors.Select(e => e.ToString())));
        // PSBTs of different transactions conflict; one PSBT alone is no combination.
        var conflict = await Assert.ThrowsAsync<RpcException>(() => daemon.Signing.CombinePsbtAsync(
            new CombinePsbtRequest { Chain = "btc", Psbts = { ours.SignedPayload, DescriptorPsbt.Spend(descriptor, changeTo: descriptor) } }, Signer).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, conflict.StatusCode);
        Assert.Equal("psbts", (await Assert.ThrowsAsync<RpcException>(() => daemon.Signing.CombinePsbtAsync(
            new CombinePsbtRequest { Chain = "btc", Psbts = { ours.SignedPayload } }, Signer).ResponseAsync)).GetRpcStatus()!.GetDetail<Google.Rpc.ErrorInfo>().Metadata["field"]);

        // Change to another descriptor is not change: the claim is refused, naming the output.
        var elsewhere = await Assert.ThrowsAsync<RpcException>(() => Sign(DescriptorPsbt.Spend(descriptor, changeTo: other), "vault"));
        Assert.Equal(StatusCode.InvalidArgument, elsewhere.StatusCode);
        Assert.Contains("neither the account's descriptor at a change index", elsewhere.Status.Detail, StringComparison.Ordinal);
        // Without the account named, the account's own change is no single key of the wallet.
        var unnamed = await Assert.ThrowsAsync<RpcException>(() => Sign(DescriptorPsbt.Spend(descriptor, changeTo: descriptor), ""));
        Assert.Equal(StatusCode.InvalidArgument, unnamed.StatusCode);
        // An account that does not exist is NOT_FOUND; one on another chain is refused.
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => Sign(DescriptorPsbt.Spend(descriptor, changeTo: descriptor), "nope"))).StatusCode);
    }
}

/// <summary>A PSBT spending two outputs of a wsh() descriptor account, paying 70 000 sat away and 39 000 sat to <c>changeTo</c>'s change branch at index 3.</summary>
internal static class DescriptorPsbt
{
    public static string Spend(OutputDescriptor descriptor, OutputDescriptor changeTo)
    {
        var funding = new BitcoinTransaction(2, [new TxInput(new OutPoint(Hashes.Sha256(RandomNumberGenerator.GetBytes(8)), 0), [0x51], 0xffffffff)],
            [new TxOutput(60_000, descriptor.ScriptPubKey(0, 0)), new TxOutput(50_000, descriptor.ScriptPubKey(0, 7))], 0);
        var spend = new BitcoinTransaction(2,
            [new TxInput(new OutPoint(funding.TxHash, 0), [], 0xfffffffd), new TxInput(new OutPoint(funding.TxHash, 1), [], 0xfffffffd)],
            [new TxOutput(70_000, BitcoinScript.P2wpkh(Enumerable.Repeat((byte)0x21, 20).ToArray())), new TxOutput(39_000, changeTo.ScriptPubKey(1, 3))], 0);
        var psbt = PartiallySignedTransaction.Create(spend);
        foreach (var (input, index) in new[] { (0, 0u), (1, 7u) })
        {
            var updated = psbt.Inputs[input].WithNonWitnessUtxo(funding).WithWitnessUtxo(funding.Outputs[input])
                .WithWitnessScript(((ScriptHashNode)descriptor.Root).Inner.Script(0, index));
            foreach (var key in descriptor.Root.Keys) updated = updated.WithBip32Derivation(key.Derive(0, index).PublicKey, key.Derive(0, index).Origin!);
            psbt = psbt.WithInput(updated);
        }
        var change = psbt.Outputs[1].WithWitnessScript(((ScriptHashNode)changeTo.Root).Inner.Script(1, 3));
        foreach (var key in changeTo.Root.Keys) change = change.WithBip32Derivation(key.Derive(1, 3).PublicKey, key.Derive(1, 3).Origin!);
        return psbt.WithOutput(change).ToBase64();
    }
}
