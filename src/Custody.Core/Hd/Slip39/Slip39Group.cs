namespace Custody.Core.Hd.Slip39;

/// <summary>One group of a SLIP-39 backup: <see cref="Threshold"/> of <see cref="Count"/> member shares recover it.</summary>
public readonly record struct Slip39Group(int Threshold, int Count)
{
    public override string ToString() => $"{Threshold}-of-{Count}";
}
