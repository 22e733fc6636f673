using Custody.Core.Chains;
using Custody.Core.Hd;
using Custody.Core.Hd.Bip39;

namespace Custody.Core.Tests.Chains;

/// <summary>The HD key ring of Trezor's test mnemonic "all all … all" (empty passphrase), as its fixtures use.</summary>
internal static class TrezorAllMnemonic
{
    public const string Sentence = "all all all all all all all all all all all all";

    public static HdKeyRing KeyRing(KeyCurve curve)
    {
        using var seed = Bip39Seed.FromSentence(Sentence, "");
        return new HdKeyRing(seed, curve);
    }
}
