namespace Custody.Hsm;

/// <summary>Random bytes from the HSM's generator (C_GenerateRandom). Thread-safe.</summary>
public interface IHsmRandom
{
    void Fill(Span<byte> destination);

    byte[] GetBytes(int count);
}
