namespace Custody.Daemon.Configuration;

/// <summary>One webhook (configuration list "Webhooks"): where events go and the file holding the secret their bodies are signed with.</summary>
public sealed class WebhookOptions
{
    /// <summary>Where events are POSTed: https://, or http:// on loopback only.</summary>
    [HttpUrl]
    public string? Url { get; set; }

    /// <summary>A file (mode 0600) holding the shared secret, at least 16 bytes: each body is HMAC-SHA256-signed with it.</summary>
    [ExistingFile]
    public string? SecretFile { get; set; }
}
