using System.Numerics;
using System.Text.Json;
using Custody.Core.Chains;
using Custody.Core.Chains.Solana;
using Custody.Core.Crypto;
using Custody.Core.Hd;
using Custody.Core.Tests.TestKit;
using static Custody.Core.Tests.Chains.Solana.SolanaTestMessages;

namespace Custody.Core.Tests.Chains.Solana;

public class SolanaCodecTests
{
    private static readonly SolanaCodec Codec = new(ChainRegistry.Get("sol"));

    public static TheoryData<int> WalletCoreCases() => [0, 1, 2];

    private static JsonElement WalletCore(int index) => VectorFile.Json("solana-wallet-core-signing.json").GetProperty("cases")[index];

    // wallet-core's Solana signer vectors (one is mainnet transaction 3vZ67C…): the message is
    // decoded, signed through the codec with the same seed, and the wire transaction and txid match.
    [Theory]
    [MemberData(nameof(WalletCoreCases))]
    public void Wallet_core_transactions_are_reproduced_byte_for_byte(int index)
    {
        var v = WalletCore(index);
        var message = Convert.FromHexString(v.GetProperty("message_hex").GetString()!);
        var keys = FixedKeyRing.SingleEd25519(v.GetProperty("seed_hex").GetString()!);
        Assert.Equal(v.GetProperty("public_key").GetString(), SolanaAddress.ToText(keys.GetPublicKey(KeyPath.Root)));

        var signed = Codec.Sign(Codec.ParsePayload(Convert.ToBase64String(message)), keys, KeyPath.Root);
        Assert.Equal(v.GetProperty("signed_tx_hex").GetString(), Convert.ToHexStringLower(Convert.FromBase64String(signed.Payload)));
        if (v.TryGetProperty("signature", out var txId)) Assert.Equal(txId.GetString(), signed.TxId);

        var intent = signed.Intent;
        Assert.Equal("sol", intent.Chain.Id);
        Assert.Equal(v.GetProperty("public_key").GetString(), intent.Sources[0]); // fee payer first
        var output = Assert.Single(intent.Outputs);
        Assert.Equal(new BigInteger(v.GetProperty("amount").GetUInt64()), output.Amount);
        if (v.TryGetProperty("to", out var to)) Assert.Equal(to.GetString(), output.Destination);
        Assert.Equal(v.TryGetProperty("mint", out var mint) ? mint.GetString() : IntentOutput.NativeAsset, output.Asset);
        Assert.Equal(new BigInteger(5000), intent.Fee); // one signature, no priority fee
        Assert.Null(intent.Call);
        Assert.Empty(intent.Notes);
        var message0 = SolanaMessage.Parse(message);
        Assert.Empty(intent.ReplayKeys); // a recent-blockhash transaction excludes no other
        Assert.Equal(message, message0.Serialize());
    }

    [Fact]
    public void A_key_that_is_not_a_required_signer_is_refused_before_signing()
    {
        var message = Convert.FromHexString(WalletCore(0).GetProperty("message_hex").GetString()!);
        var stranger = FixedKeyRing.SingleEd25519(WalletCore(1).GetProperty("seed_hex").GetString()!);
        Assert.Equal("signerPath", Assert.Throws<InvalidInputException>(() => Codec.Sign(message, stranger, KeyPath.Root)).Field);
        Assert.Equal(0, stranger.SignatureCount);
        Assert.Equal("keys", Assert.Throws<InvalidInputException>(() =>
            Codec.Sign(message, FixedKeyRing.Single(new string('1', 64)), KeyPath.Root)).Field);
    }

    [Fact]
    public void A_co_signer_fills_its_own_slot_and_leaves_the_txid_to_the_fee_payer()
    {
        var payer = FixedKeyRing.SingleEd25519(new string('0', 62) + "01");
        var cosigner = FixedKeyRing.SingleEd25519(new string('0', 62) + "02");
        var payerKey = payer.GetPublicKey(KeyPath.Root);
        var cosignerKey = cosigner.GetPublicKey(KeyPath.Root);
        var message = Message((2, 0, 1), [payerKey, cosignerKey, Key(0x33), Program(SolanaPrograms.SystemProgram)],
            [(3, [1, 2], SystemTransfer(7))]);

        var signed = Codec.Sign(message, cosigner, KeyPath.Root);
        var wire = Convert.FromBase64String(signed.Payload);
        Assert.Equal(2, wire[0]);
        Assert.True(wire.AsSpan(1, 64).IndexOfAnyExcept((byte)0) < 0); // the payer's slot is still empty
        Assert.True(Ed25519.Verify(cosignerKey, message, wire.AsSpan(65, 64)));
        Assert.Equal(message, wire[129..]);
        Assert.Equal("", signed.TxId);
        Assert.Equal(new BigInteger(10_000), signed.Intent.Fee);
        Assert.Equal([SolanaAddress.ToText(payerKey), SolanaAddress.ToText(cosignerKey)], signed.Intent.Sources);
    }

    [Fact]
    public void Compute_budget_sets_the_priority_fee()
    {
        var payer = Key(0x11);
        var budget = Program(SolanaPrograms.ComputeBudgetProgram);
        byte[] limit = [2, .. BitConverter.GetBytes(300_000u)];
        byte[] price = [3, .. BitConverter.GetBytes(1_000_001UL)]; // micro-lamports per unit
        var message = Message((1, 0, 2), [payer, Key(0x22), Program(SolanaPrograms.SystemProgram), budget],
            [(3, [], limit), (3, [], price), (2, [0, 1], SystemTransfer(1))]);
        var intent = Codec.Decode(message);
        // 5000 per signature + ceil(300000 × 1000001 / 10^6) = 5000 + 300001
        Assert.Equal(new BigInteger(5000 + 300_001), intent.Fee);
        Assert.Null(intent.Call);

        // Without a limit the runtime allows 200k units per instruction that is not a budget one.
        message = Message((1, 0, 2), [payer, Key(0x22), Program(SolanaPrograms.SystemProgram), budget],
            [(3, [], price), (2, [0, 1], SystemTransfer(1))]);
        Assert.Equal(new BigInteger(5000 + 200_001), Codec.Decode(message).Fee);

        message = Message((1, 0, 1), [payer, budget], [(1, [], limit), (1, [], limit)]);
        Assert.Contains("twice", Assert.Throws<InvalidInputException>(() => Codec.Decode(message)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Token_2022_transfer_checked_and_approve_are_outputs_other_programs_calls()
    {
        var owner = Key(0x11);
        var token = Program(SolanaPrograms.Token2022Program);
        var memo = Program("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr");
        var message = Message((1, 0, 3), [owner, Key(0x21), Key(0x22), Key(0x23), token, memo],
            [(4, [1, 3, 2, 0], TokenTransferChecked(500, 6)), (4, [1, 3, 2, 0], [13, .. BitConverter.GetBytes(9UL), 6]), (5, [], "hi"u8.ToArray())]);
        var intent = Codec.Decode(message);
        Assert.Equal(2, intent.Outputs.Count);
        Assert.Equal(new IntentOutput(SolanaAddress.ToText(Key(0x22)), SolanaAddress.ToText(Key(0x23)), 500, false), intent.Outputs[0]);
        Assert.Equal(new BigInteger(9), intent.Outputs[1].Amount);
        Assert.Contains("spl-token-2022", intent.Notes);
        Assert.Contains("spl-token:approve", intent.Notes);
        Assert.Equal(new ContractCall("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr", "104", 0), intent.Call); // 'h'
        Assert.Equal([SolanaAddress.ToText(owner), SolanaAddress.ToText(Key(0x21))], intent.Sources); // authority and token account
    }

    [Fact]
    public void Plain_token_transfer_has_no_mint_and_says_so()
    {
        var message = Message((1, 0, 1), [Key(0x11), Key(0x21), Key(0x22), Program(SolanaPrograms.TokenProgram)],
            [(3, [1, 2, 0], [3, .. BitConverter.GetBytes(77UL)])]);
        var intent = Codec.Decode(message);
        Assert.Equal("unknown-mint", Assert.Single(intent.Outputs).Asset);
        Assert.Equal(["spl-token:transfer-without-mint"], intent.Notes);
    }

    [Fact]
    public void Transfer_with_seed_names_the_base_key_and_the_derived_account()
    {
        byte[] data = [11, 0, 0, 0, .. BitConverter.GetBytes(1234UL), .. BitConverter.GetBytes(4UL), .. "seed"u8, .. Key(0x44)];
        var message = Message((1, 0, 1), [Key(0x11), Key(0x21), Key(0x22), Program(SolanaPrograms.SystemProgram)],
            [(3, [1, 0, 2], data)]);
        var intent = Codec.Decode(message);
        Assert.Equal([SolanaAddress.ToText(Key(0x11)), SolanaAddress.ToText(Key(0x21))], intent.Sources);
        Assert.Equal(new IntentOutput(SolanaAddress.ToText(Key(0x22)), IntentOutput.NativeAsset, 1234, false), Assert.Single(intent.Outputs));
    }

    [Fact]
    public void A_durable_nonce_transaction_says_so_and_names_the_nonce_in_its_replay_keys()
    {
        var payer = Key(0x11);
        var nonce = Key(0x55);
        var sysvar = Program("SysvarRecentB1ockHashes11111111111111111111");
        var message = Message((1, 0, 2), [payer, nonce, Key(0x22), sysvar, Program(SolanaPrograms.SystemProgram)],
            [(4, [1, 3, 0], [4, 0, 0, 0]), (4, [0, 2], SystemTransfer(9))]);
        var intent = Codec.Decode(message);
        Assert.Equal(["solana:durable-nonce"], intent.Notes);
        Assert.Null(intent.Call);
        var blockhash = SolanaAddress.ToText(Key(0xbb));
        Assert.Equal([$"{SolanaAddress.ToText(nonce)}/{blockhash}"], intent.ReplayKeys);
        Assert.Equal(new BigInteger(9), Assert.Single(intent.Outputs).Amount);
    }

    // v0: a destination loaded from an address lookup table is unknown offline.
    [Fact]
    public void V0_lookup_table_destinations_are_unresolved()
    {
        var message = Message((1, 0, 1), [Key(0x11), Program(SolanaPrograms.SystemProgram)],
            [(1, [0, 2], SystemTransfer(5)), (1, [0, 3], SystemTransfer(6))],
            lookups: [(Key(0x77), [4], [9])]);
        var parsed = SolanaMessage.Parse(message);
        Assert.Equal(0, parsed.Version);
        Assert.Equal(4, parsed.AccountCount);
        Assert.Equal(message, parsed.Serialize());
        var intent = Codec.Decode(message);
        Assert.All(intent.Outputs, o => Assert.Null(o.Destination));
        Assert.Equal(["unresolved-lookup-table"], intent.Notes);
    }

    [Theory]
    [InlineData("trailing data", "message.instructions[0].data")]
    [InlineData("short data", "message.instructions[0].data")]
    [InlineData("program from lookup", "message.instructions[0].programIdIndex")]
    [InlineData("payer as program", "message.instructions[0].programIdIndex")]
    [InlineData("account beyond", "message.instructions[0].accounts")]
    [InlineData("readonly payer", "message.header")]
    [InlineData("duplicate key", "message.accountKeys[1]")]
    [InlineData("version 1", "message.version")]
    [InlineData("empty lookup", "message.addressTableLookups[0]")]
    [InlineData("too few accounts", "message.instructions[0].accounts")]
    public void Malformed_messages_name_the_field(string what, string field)
    {
        var system = Program(SolanaPrograms.SystemProgram);
        byte[] message = what switch
        {
            "trailing data" => Message((1, 0, 1), [Key(1), Key(2), system], [(2, [0, 1], [.. SystemTransfer(1), 0])]),
            "short data" => Message((1, 0, 1), [Key(1), Key(2), system], [(2, [0, 1], [2, 0, 0, 0, 1])]),
            "program from lookup" => Message((1, 0, 1), [Key(1), system], [(2, [0], SystemTransfer(1))], [(Key(7), [0], [])]),
            "payer as program" => Message((1, 0, 1), [Key(1), system], [(0, [0], SystemTransfer(1))]),
            "account beyond" => Message((1, 0, 1), [Key(1), system], [(1, [0, 5], SystemTransfer(1))]),
            "readonly payer" => Message((1, 1, 1), [Key(1), system], []),
            "duplicate key" => Message((1, 0, 0), [Key(1), Key(1)], []),
            "version 1" => [0x81, .. Message((1, 0, 1), [Key(1), system], [])],
            "empty lookup" => Message((1, 0, 1), [Key(1), system], [], [(Key(7), [], [])]),
            _ => Message((1, 0, 1), [Key(1), Key(2), system], [(2, [0], SystemTransfer(1))]),
        };
        Assert.Equal(field, Assert.Throws<InvalidInputException>(() => Codec.Decode(message)).Field);
    }

    [Fact]
    public void Oversized_and_non_base64_payloads_are_refused()
    {
        Assert.Equal("payload", Assert.Throws<InvalidInputException>(() => Codec.ParsePayload("not base64!")).Field);
        Assert.Equal("payload", Assert.Throws<InvalidInputException>(() => Codec.ParsePayload(new string('A', 2000))).Field);
        Assert.Equal("message", Assert.Throws<InvalidInputException>(() => Codec.Decode(new byte[SolanaMessage.MaxSize + 1])).Field);
    }

    // Property: every prefix of the vector messages and of a v0 message, thousands of random
    // byte changes and random inputs are decoded or refused with InvalidInputException; whatever
    // parses re-serialises to exactly its input.
    [Fact]
    public void Truncated_mutated_and_random_messages_are_decoded_or_refused()
    {
        var random = new Random(501);
        var samples = Enumerable.Range(0, 3).Select(i => Convert.FromHexString(WalletCore(i).GetProperty("message_hex").GetString()!)).ToList();
        samples.Add(Message((1, 0, 1), [Key(0x11), Program(SolanaPrograms.SystemProgram)], [(1, [0, 2], SystemTransfer(5))], [(Key(0x77), [4], [9])]));
        var mutations = new FuzzCoverage("Solana messages mutated");
        var noise = new FuzzCoverage("random Solana messages");
        foreach (var sample in samples)
        {
            for (var cut = 0; cut < sample.Length; cut++)
                Assert.Throws<InvalidInputException>(() => Codec.Decode(sample.AsSpan(0, cut)));
            for (var i = 0; i < 2000; i++)
            {
                var mutated = (byte[])sample.Clone();
                for (var flips = random.Next(1, 4); flips > 0; flips--) mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
                mutations.Try(() => DecodeAndRoundTrip(mutated));
            }
        }
        for (var i = 0; i < 10000; i++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            if (bytes.Length > 3) (bytes[0], bytes[3]) = ((byte)(random.Next(2) == 0 ? 1 : 0x80), (byte)random.Next(4));
            noise.Try(() => DecodeAndRoundTrip(bytes));
        }
        mutations.AssertReached(minAccepted: 500, minRefused: 500);
        noise.AssertReached(minAccepted: 0, minRefused: 9000);
    }

    private static void DecodeAndRoundTrip(byte[] message)
    {
        Codec.Decode(message);
        Assert.Equal(message, SolanaMessage.Parse(message).Serialize());
    }
}
