namespace Custody.Core.Chains.Solana;

/// <summary>The programs whose instructions Custody decodes, by address.</summary>
public static class SolanaPrograms
{
    public const string SystemProgram = "11111111111111111111111111111111";
    public const string TokenProgram = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
    public const string Token2022Program = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb";
    public const string ComputeBudgetProgram = "ComputeBudget111111111111111111111111111111";
}
