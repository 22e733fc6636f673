namespace Custody.Core.Ceremony;

/// <summary>
/// How a new wallet's seed leaves the system: as SLIP-39 shares
/// (<see cref="Slip39Backup"/>) or as one BIP39 mnemonic (<see cref="Bip39Backup"/>).
/// The plan fixes the length of the random secret drawn from the HSM.
/// </summary>
public abstract record BackupPlan
{
    /// <summary>Bytes drawn from the HSM's generator: the SLIP-39 master secret or the BIP39 entropy.</summary>
    public abstract int SecretLength { get; }

    /// <summary>How many pieces are handed out, one per custodian.</summary>
    public abstract int PieceCount { get; }

    /// <summary>
    /// Turns <paramref name="secret"/> (<see cref="SecretLength"/> bytes from the HSM) into the
    /// wallet seed and the custodians' pieces; <paramref name="random"/> serves any further
    /// randomness the scheme needs (SLIP-39 share polynomials).
    /// </summary>
    public abstract BackupMaterial CreateMaterial(ReadOnlySpan<byte> secret, Func<int, byte[]> random);

    /// <summary>One line for the ceremony record and the audit log, e.g. "SLIP-39 2-of-3, 256-bit".</summary>
    public abstract string Describe();

    public sealed override string ToString() => Describe();
}
