namespace Custody.Core.Wire;

/// <summary>Protocol Buffers wire types; groups (3, 4) are deprecated and refused.</summary>
public enum ProtoWireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    Fixed32 = 5,
}
