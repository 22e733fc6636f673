using Google.Protobuf;

namespace Custody.Daemon.Auth;

/// <summary>Reads a field of any request by its proto name, for the checks that hold for every method alike.</summary>
internal static class RequestFields
{
    /// <summary>
    /// The value of field <paramref name="name"/>; a request without it (or none, on a client
    /// stream) is a fault in the permission table, so this throws rather than let a check pass.
    /// </summary>
    public static T Get<T>(object? request, string name) =>
        request is IMessage message && message.Descriptor.FindFieldByName(name) is { IsRepeated: false } field &&
        field.Accessor.GetValue(message) is T value
            ? value
            : throw new InvalidOperationException($"the permission table reads '{name}' of a request that has no such {typeof(T).Name} field");
}
