using System.Globalization;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Crypto;
using Custody.Core.Hd;
using Custody.Core.Hd.Bip32;

namespace Custody.Core.Chains.Bitcoin.Descriptors;

/// <summary>
/// Recursive-descent parser of BIP380–387 descriptors over the script expressions a custody
/// account uses: pk, pkh, wpkh, sh, wsh, multi, sortedmulti, tr with pk / multi_a /
/// sortedmulti_a leaves (BIP389 multipath key steps too). Cost is linear in the text, which is
/// bounded, as is nesting (sh ⊃ wsh ⊃ script, and a tap tree's depth). Every refusal names
/// what is wrong and where; raw(), addr() and combo() are not account descriptors and are refused.
/// </summary>
internal sealed class DescriptorParser
{
    /// <summary>Enough for a 999-key multi_a of extended keys with origins and paths.</summary>
    public const int MaxLength = 200_000;

    private enum Context
    {
        Top,
        Sh,
        Wsh,
        Tapscript,
    }

    private readonly string _text;
    private readonly bool _allowPrivateKeys;
    private int _position;
    private int _branches = 1;

    private DescriptorParser(string text, bool allowPrivateKeys)
    {
        _text = text;
        _allowPrivateKeys = allowPrivateKeys;
    }

    public static DescriptorNode Parse(string body, bool allowPrivateKeys, out int branches)
    {
        if (body.Length > MaxLength) throw new InvalidInputException("descriptor", $"longer than {MaxLength} characters");
        var parser = new DescriptorParser(body, allowPrivateKeys);
        var node = parser.Script(Context.Top);
        if (parser._position != body.Length) throw parser.Error("unexpected text after the descriptor's closing parenthesis");
        branches = parser._branches;
        return node;
    }

    private InvalidInputException Error(string message) =>
        new("descriptor", $"at character {_position + 1}: {message}");

    private DescriptorNode Script(Context context)
    {
        var start = _position;
        var name = Name();
        if (name.Length == 0) throw Error("expected a script expression such as wpkh(…), wsh(…) or tr(…)");
        Expect('(');
        DescriptorNode node;
        switch (name)
        {
            case "pk" or "pkh":
                node = new SingleKeyNode(name, Key(context, KeyRule(context))) { InTapscript = context == Context.Tapscript };
                if (context == Context.Tapscript && name == "pkh") throw Fail(start, "pkh() is not allowed in a tr() tree");
                break;
            case "wpkh":
                if (context is Context.Wsh or Context.Tapscript) throw Fail(start, $"wpkh() cannot be nested in {Outer(context)}");
                node = new SingleKeyNode(name, Key(context, KeyRules.CompressedOnly));
                break;
            case "sh":
                if (context != Context.Top) throw Fail(start, "sh() is top level only");
                node = new ScriptHashNode(false, Script(Context.Sh));
                RequireScriptSize(node, start, 520, "a P2SH redeem script");
                break;
            case "wsh":
                if (context is not (Context.Top or Context.Sh)) throw Fail(start, $"wsh() cannot be nested in {Outer(context)}");
                node = new ScriptHashNode(true, Script(Context.Wsh));
                RequireScriptSize(node, start, 3600, "a standard P2WSH witness script");
                break;
            case "multi" or "sortedmulti":
                if (context == Context.Tapscript) throw Fail(start, $"{name}() is not valid in tapscript; use {name}_a()");
                node = Multisig(context, sorted: name == "sortedmulti", tapscript: false,
                    context switch { Context.Top => 3, Context.Sh => 15, _ => 20 });
                break;
            case "multi_a" or "sortedmulti_a":
                if (context != Context.Tapscript) throw Fail(start, $"{name}() is only valid in a tr() tree");
                node = Multisig(context, sorted: name == "sortedmulti_a", tapscript: true, 999);
                break;
            case "tr":
                if (context != Context.Top) throw Fail(start, "tr() is top level only");
                node = Taproot();
                break;
            case "raw" or "addr" or "combo":
                throw Fail(start, $"{name}() does not describe keys an account can sign with; use wpkh, sh(wpkh), tr, wsh/sh(sortedmulti) or tr(…, sortedmulti_a)");
            default:
                throw Fail(start, $"unknown script expression '{name}'");
        }
        Expect(')');
        return node;
    }

    private InvalidInputException Fail(int at, string message)
    {
        _position = at;
        return Error(message);
    }

    private static string Outer(Context context) => context switch
    {
        Context.Wsh => "wsh()",
        Context.Sh => "sh()",
        Context.Tapscript => "a tr() tree",
        _ => "the top level",
    };

    private void RequireScriptSize(DescriptorNode node, int start, int limit, string what)
    {
        var inner = ((ScriptHashNode)node).Inner.Script(0, 0);
        if (inner.Length > limit) throw Fail(start, $"{what} is {inner.Length} bytes; at most {limit}");
    }

    private MultisigNode Multisig(Context context, bool sorted, bool tapscript, int maxKeys)
    {
        var thresholdAt = _position;
        var threshold = Number("threshold");
        var keys = new List<DescriptorKey>();
        while (Peek() == ',')
        {
            _position++;
            if (keys.Count == maxKeys) throw Error($"more than {maxKeys} keys in {(sorted ? "sorted" : "")}multi{(tapscript ? "_a" : "")}() {(context == Context.Top ? "at the top level" : "in " + Outer(context))}");
            keys.Add(Key(context, tapscript ? KeyRules.XOnlyAllowed : KeyRule(context)));
        }
        if (keys.Count == 0) throw Error("a multisig expression needs at least one key");
        if (threshold < 1 || threshold > keys.Count)
            throw Fail(thresholdAt, $"threshold {threshold} must be between 1 and the number of keys ({keys.Count})");
        return new MultisigNode(threshold, keys, sorted, tapscript);
    }

    private TaprootNode Taproot()
    {
        var internalKey = Key(Context.Tapscript, KeyRules.XOnlyAllowed);
        var leaves = new List<TapLeafNode>();
        if (Peek() == ',')
        {
            _position++;
            Tree(0, leaves);
        }
        return new TaprootNode(internalKey, leaves);
    }

    private void Tree(int depth, List<TapLeafNode> leaves)
    {
        if (depth > Bitcoin.Taproot.MaxTreeDepth) throw Error($"the script tree is deeper than {Bitcoin.Taproot.MaxTreeDepth}");
        if (Peek() != '{')
        {
            leaves.Add(new TapLeafNode(depth, Script(Context.Tapscript)));
            return;
        }
        _position++;
        Tree(depth + 1, leaves);
        Expect(',');
        Tree(depth + 1, leaves);
        Expect('}');
    }

    [Flags]
    private enum KeyRules
    {
        Any = 0,
        CompressedOnly = 1,
        XOnlyAllowed = 2 | CompressedOnly,
    }

    private static KeyRules KeyRule(Context context) => context switch
    {
        Context.Wsh => KeyRules.CompressedOnly,
        Context.Tapscript => KeyRules.XOnlyAllowed,
        _ => KeyRules.Any,
    };

    private string Name()
    {
        var start = _position;
        while (_position < _text.Length && (char.IsAsciiLetterLower(_text[_position]) || _text[_position] == '_')) _position++;
        return _text[start.._position];
    }

    private char Peek() => _position < _text.Length ? _text[_position] : '\0';

    private void Expect(char c)
    {
        if (Peek() != c) throw Error(_position >= _text.Length ? $"the descriptor ends where '{c}' was expected" : $"expected '{c}', found '{_text[_position]}'");
        _position++;
    }

    private int Number(string what)
    {
        var start = _position;
        while (_position < _text.Length && char.IsAsciiDigit(_text[_position]) && _position - start < 10) _position++;
        if (_position == start || !int.TryParse(_text.AsSpan(start, _position - start), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            throw Fail(start, $"expected a {what} (a decimal number)");
        return value;
    }

    // A key expression runs to the next ',', ')' or '}'.
    private DescriptorKey Key(Context context, KeyRules rules)
    {
        var start = _position;
        while (_position < _text.Length && _text[_position] is not (',' or ')' or '}' or '(' or '{')) _position++;
        var text = _text[start.._position];
        if (text.Length == 0) throw Fail(start, "expected a key");
        if (_position < _text.Length && _text[_position] == '(') throw Fail(start, $"expected a key, found the script expression '{text}(…)'");
        try
        {
            var key = DescriptorKeyParser.Parse(text, rules.HasFlag(KeyRules.XOnlyAllowed), _allowPrivateKeys);
            if (rules.HasFlag(KeyRules.CompressedOnly) && key.IsUncompressed)
                throw new InvalidInputException("key", "uncompressed keys are not allowed in segwit or taproot scripts");
            if (key.Branches > 1)
            {
                if (_branches > 1 && key.Branches != _branches)
                    throw new InvalidInputException("key", $"has {key.Branches} multipath alternatives where other keys have {_branches}");
                _branches = key.Branches;
            }
            return key;
        }
        catch (InvalidInputException e)
        {
            // The key text is not echoed: it may be a private key.
            throw Fail(start, $"key: {e.Reason}");
        }
    }
}

/// <summary>One BIP380 key expression (with BIP386 x-only keys and BIP389 multipath steps).</summary>
internal static class DescriptorKeyParser
{
    public static DescriptorKey Parse(string text, bool xOnlyAllowed, bool allowPrivateKeys)
    {
        KeyOrigin? origin = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0) throw new InvalidInputException("key", "key origin '[' is not closed");
            origin = Origin(text[1..close]);
            text = text[(close + 1)..];
            if (text.StartsWith('[')) throw new InvalidInputException("key", "more than one key origin");
        }
        if (text.Contains(']', StringComparison.Ordinal) || text.Contains('[', StringComparison.Ordinal))
            throw new InvalidInputException("key", "a key origin must come first, in one [fingerprint/path]");
        if (text.Length == 0) throw new InvalidInputException("key", "a key origin without a key");
        var parts = text.Split('/');
        var keyText = parts[0];

        if (IsHex(keyText))
        {
            if (parts.Length > 1) throw new InvalidInputException("key", "a hex public key has no derivation steps");
            var bytes = Convert.FromHexString(keyText);
            if (bytes.Length == 32)
            {
                if (!xOnlyAllowed) throw new InvalidInputException("key", "a 32-byte x-only key is only valid inside tr()");
                if (!Secp256k1.IsValidPublicKey([0x02, .. bytes])) throw new InvalidInputException("key", "not a point on secp256k1");
                return Single(origin, bytes, xOnly: true);
            }
            if (bytes.Length is not (33 or 65) || !Secp256k1.IsValidPublicKey(bytes))
                throw new InvalidInputException("key", "hex is not a compressed (33-byte) or uncompressed (65-byte) secp256k1 public key");
            return Single(origin, bytes, xOnly: false);
        }
        if (!Base58.TryDecodeCheck(keyText, out var payload))
            throw new InvalidInputException("key", "neither hex, nor a Base58Check extended key or WIF (checksum or characters wrong)");
        if (payload.Length is 33 or 34)
        {
            if (!allowPrivateKeys) throw PrivateRefused();
            if (parts.Length > 1) throw new InvalidInputException("key", "a WIF private key has no derivation steps");
            return Single(origin, WifPublicKey(payload), xOnly: false);
        }
        if (payload.Length != ExtendedKeyEncoding.Length) throw new InvalidInputException("key", $"a Base58Check payload of {payload.Length} bytes is no key");
        var steps = Steps(parts.AsSpan(1), out var multipathStep, out var multipath, out var wildcard);
        ExtendedPublicKey extended;
        try
        {
            extended = ExtendedPublicKey.Parse(keyText);
        }
        catch (InvalidInputException publicError) when (publicError.Reason.Contains("private", StringComparison.Ordinal))
        {
            if (!allowPrivateKeys) throw PrivateRefused();
            return FromPrivate(origin, keyText, steps, multipathStep, multipath, wildcard);
        }
        if (steps.Any(KeyPath.IsHardenedIndex) || multipath.Any(KeyPath.IsHardenedIndex))
            throw new InvalidInputException("key", "a hardened step below an extended public key needs its private key");
        return new DescriptorKey(origin, null, extended, steps, multipathStep, multipath, wildcard, false);
    }

    private static InvalidInputException PrivateRefused() =>
        new("key", "is a private key; a descriptor given to Custody carries public keys only (xpub, tpub or hex)");

    // Derives through the fixed steps up to the last hardened one with the private key, then keeps only the public key.
    private static DescriptorKey FromPrivate(KeyOrigin? origin, string keyText, uint[] steps, int multipathStep, uint[] multipath, DescriptorWildcard wildcard)
    {
        var fixedSteps = multipathStep < 0 ? steps.Length : multipathStep;
        var lastHardened = Array.FindLastIndex(steps, KeyPath.IsHardenedIndex);
        if (lastHardened >= fixedSteps || multipath.Any(KeyPath.IsHardenedIndex))
            throw new InvalidInputException("key", "hardened steps after a multipath step are not supported");
        var consumed = KeyPath.FromIndexes(steps.AsSpan(0, lastHardened + 1));
        using var master = ExtendedPrivateKey.Parse(keyText);
        using var derived = master.Derive(consumed);
        if (consumed.Depth > 0)
            origin = origin is { } o ? new KeyOrigin(o.Fingerprint, o.Path.Append(consumed)) : new KeyOrigin(master.Fingerprint.Value, consumed);
        var rest = steps[(lastHardened + 1)..];
        return new DescriptorKey(origin, null, derived.Neuter(), rest, multipathStep < 0 ? -1 : multipathStep - (lastHardened + 1), multipath, wildcard, false);
    }

    private static byte[] WifPublicKey(byte[] payload)
    {
        try
        {
            if (payload.Length == 34 && payload[33] != 0x01) throw new InvalidInputException("key", "a compressed WIF key ends in 0x01");
            var privateKey = payload.AsSpan(1, 32);
            if (!Secp256k1.IsValidPrivateKey(privateKey)) throw new InvalidInputException("key", "WIF does not hold a valid private key");
            return Secp256k1.GetPublicKey(privateKey, compressed: payload.Length == 34);
        }
        finally
        {
            Array.Clear(payload);
        }
    }

    private static DescriptorKey Single(KeyOrigin? origin, byte[] key, bool xOnly) =>
        new(origin, key, null, [], -1, [], DescriptorWildcard.None, xOnly);

    private static KeyOrigin Origin(string text)
    {
        var parts = text.Split('/');
        if (!HdFingerprint.TryParse(parts[0], out var fingerprint) || !IsHex(parts[0]))
            throw new InvalidInputException("key", $"key origin fingerprint '{parts[0]}' is not 8 hex digits");
        var path = new uint[parts.Length - 1];
        for (var i = 1; i < parts.Length; i++)
            path[i - 1] = Index(parts[i], "key origin");
        return new KeyOrigin(fingerprint.Value, KeyPath.FromIndexes(path));
    }

    private static uint[] Steps(ReadOnlySpan<string> parts, out int multipathStep, out uint[] multipath, out DescriptorWildcard wildcard)
    {
        var steps = new List<uint>();
        multipathStep = -1;
        multipath = [];
        wildcard = DescriptorWildcard.None;
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part is "*" or "*h" or "*'" or "*H")
            {
                if (i != parts.Length - 1) throw new InvalidInputException("key", "'*' must be the last step");
                if (part != "*") throw new InvalidInputException("key", "a hardened wildcard needs the private key at every index; Custody descriptors derive public keys only");
                wildcard = DescriptorWildcard.Unhardened;
            }
            else if (part.StartsWith('<'))
            {
                if (multipathStep >= 0) throw new InvalidInputException("key", "more than one multipath step <…;…>");
                if (!part.EndsWith('>')) throw new InvalidInputException("key", "a multipath step is <a;b;…>");
                var alternatives = part[1..^1].Split(';');
                if (alternatives.Length < 2) throw new InvalidInputException("key", "a multipath step has at least two alternatives");
                multipath = [.. alternatives.Select(a => Index(a, "multipath step"))];
                if (multipath.Distinct().Count() != multipath.Length) throw new InvalidInputException("key", "multipath alternatives must differ");
                multipathStep = steps.Count;
                steps.Add(0);
            }
            else
            {
                steps.Add(Index(part, "derivation step"));
            }
        }
        return [.. steps];
    }

    // NUM, NUMh or NUM' with NUM below 2^31.
    private static uint Index(string text, string where)
    {
        var hardened = text.EndsWith('h') || text.EndsWith('\'');
        var digits = hardened ? text[..^1] : text;
        if (digits.Length is 0 or > 10 || !digits.All(char.IsAsciiDigit) ||
            !uint.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            throw new InvalidInputException("key", $"{where} '{text}' is not a number with an optional h or ' (hardened)");
        if (value >= KeyPath.HardenedBit) throw new InvalidInputException("key", $"{where} {value} is out of range (below 2^31)");
        return hardened ? value | KeyPath.HardenedBit : value;
    }

    private static bool IsHex(string text) =>
        text.Length > 0 && text.Length % 2 == 0 && text.All(char.IsAsciiHexDigit);
}
