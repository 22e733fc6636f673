using System.Buffers.Text;
using System.Text.Json;

namespace Custody.Core.WebAuthn;

/// <summary>
/// The client data a browser collects and the authenticator's signature covers through its hash
/// (WebAuthn Level 3 §5.8.1): type, challenge (base64url), origin, crossOrigin, topOrigin. Other
/// members are allowed (the spec lets clients add them) and ignored; a member we read that appears
/// twice is refused, so no two readers can see different values.
/// </summary>
public sealed class CollectedClientData
{
    /// <summary>Browsers send well under 1 KiB; a few extension members fit too.</summary>
    public const int MaxLength = 4096;

    /// <summary>Challenges we issue are SHA-256 digests; the bound only keeps decoding small.</summary>
    private const int MaxChallengeLength = 64;

    private const string Field = "passkey.client_data_json";

    private readonly byte[] _challenge;

    private CollectedClientData(string type, byte[] challenge, string origin, bool crossOrigin, string? topOrigin)
    {
        Type = type;
        _challenge = challenge;
        Origin = origin;
        CrossOrigin = crossOrigin;
        TopOrigin = topOrigin;
    }

    /// <summary>"webauthn.get" for an assertion, "webauthn.create" for a registration.</summary>
    public string Type { get; }

    public ReadOnlySpan<byte> Challenge => _challenge;

    /// <summary>The origin of the page that called navigator.credentials.get, e.g. https://console.example.</summary>
    public string Origin { get; }

    public bool CrossOrigin { get; }

    public string? TopOrigin { get; }

    /// <summary>Reads clientDataJSON (UTF-8 JSON); bad input is <see cref="InvalidInputException"/> naming the field.</summary>
    public static CollectedClientData Parse(ReadOnlySpan<byte> json)
    {
        if (json.Length == 0) throw new InvalidInputException(Field, "empty");
        if (json.Length > MaxLength) throw new InvalidInputException(Field, $"{json.Length} bytes: more than {MaxLength}");
        string? type = null, challenge = null, origin = null, topOrigin = null;
        bool? crossOrigin = null;
        try
        {
            // One JSON value and nothing after it; extension members may nest, but not deeply.
            using var document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidInputException(Field, "not a JSON object");
            foreach (var member in document.RootElement.EnumerateObject())
            {
                switch (member.Name)
                {
                    case "type": Once(ref type, member); break;
                    case "challenge": Once(ref challenge, member); break;
                    case "origin": Once(ref origin, member); break;
                    case "topOrigin": Once(ref topOrigin, member); break;
                    case "crossOrigin":
                        if (crossOrigin is not null) throw new InvalidInputException(Field, "crossOrigin appears twice");
                        crossOrigin = member.Value.ValueKind switch
                        {
                            JsonValueKind.True => true,
                            JsonValueKind.False => false,
                            _ => throw new InvalidInputException(Field, "crossOrigin is not a boolean"),
                        };
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            throw new InvalidInputException(Field, $"not JSON: {e.Message}");
        }
        if (type is null) throw new InvalidInputException(Field, "no type");
        if (challenge is null) throw new InvalidInputException(Field, "no challenge");
        if (origin is null) throw new InvalidInputException(Field, "no origin");
        if (challenge.Length > Base64Url.GetEncodedLength(MaxChallengeLength))
            throw new InvalidInputException(Field, $"the challenge is longer than {MaxChallengeLength} bytes");
        var bytes = new byte[Base64Url.GetMaxDecodedLength(challenge.Length)];
        if (Base64Url.DecodeFromChars(challenge, bytes, out _, out var written) != System.Buffers.OperationStatus.Done)
            throw new InvalidInputException(Field, "the challenge is not base64url");
        return new CollectedClientData(type, bytes[..written], origin, crossOrigin ?? false, topOrigin);
    }

    private static void Once(ref string? slot, JsonProperty member)
    {
        if (slot is not null) throw new InvalidInputException(Field, $"{member.Name} appears twice");
        if (member.Value.ValueKind != JsonValueKind.String) throw new InvalidInputException(Field, $"{member.Name} is not a string");
        slot = member.Value.GetString()!;
    }
}
