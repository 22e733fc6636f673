using System.Collections.Concurrent;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Custody.Hsm.Pkcs11;

/// <summary>
/// Where the token was found for one module generation: its slot and the object handles found so
/// far. Handles are only meaningful to the module instance that issued them, so a new generation
/// starts a new binding with an empty cache.
/// </summary>
internal sealed class TokenBinding(ISlot slot, int generation)
{
    public ISlot Slot { get; } = slot;

    public int Generation { get; } = generation;

    public ConcurrentDictionary<string, IObjectHandle> Handles { get; } = new(StringComparer.Ordinal);
}
