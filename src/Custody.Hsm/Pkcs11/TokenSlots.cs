using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Custody.Hsm.Pkcs11;

/// <summary>Finds tokens by label, every time: slot ids change when tokens are created or come back.</summary>
internal static class TokenSlots
{
    /// <summary>The slot holding the initialised token labelled <paramref name="label"/>, or null.</summary>
    public static ISlot? FindByLabel(IPkcs11Library library, string label, string modulePath)
    {
        ISlot? found = null;
        foreach (var slot in library.GetSlotList(SlotsType.WithTokenPresent))
        {
            if (TryGetTokenInfo(slot) is not { } info) continue; // a token that does not answer cannot be the one we use
            if (!info.TokenFlags.TokenInitialized || info.Label.TrimEnd() != label) continue;
            if (found is not null)
                throw new HsmException(HsmError.Configuration, $"two tokens are labelled '{label}' on {modulePath}; labels must be unique");
            found = slot;
        }
        return found;
    }

    /// <summary>A slot whose token is not initialised yet (SoftHSM always offers one), or null.</summary>
    public static ISlot? FindUninitialised(IPkcs11Library library) =>
        library.GetSlotList(SlotsType.WithTokenPresent).FirstOrDefault(slot => TryGetTokenInfo(slot) is { TokenFlags.TokenInitialized: false });

    private static ITokenInfo? TryGetTokenInfo(ISlot slot)
    {
        try
        {
            return slot.GetTokenInfo();
        }
        catch (Pkcs11Exception)
        {
            return null;
        }
    }
}
