using Custody.Daemon.Auth;

namespace Custody.Daemon.Tests;

/// <summary>The permission table against what the daemon serves, read from its compiled service descriptors.</summary>
[Collection(DaemonCollection.Name)]
public class RpcPermissionsTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
{
    [Fact]
    public void Every_served_rpc_has_a_row_in_the_permission_table_and_every_row_is_served()
    {
        var served = ServedRpcs.Of(daemon.App).Keys.ToList();
        Assert.Contains("/custody.v1.SigningService/ApproveRequest", served); // the endpoints were read at all
        // A method without a row is refused to everyone: this names it before a caller finds out.
        var withoutRow = served.Except(RpcPermissions.All.Keys).ToList();
        Assert.True(withoutRow.Count == 0, "served without a row: " + string.Join(", ", withoutRow));
        var notServed = RpcPermissions.All.Keys.Except(served).ToList();
        Assert.True(notServed.Count == 0, "a row for what is not served: " + string.Join(", ", notServed));
    }

    [Fact]
    public void A_request_naming_a_wallet_or_an_object_of_one_is_checked_by_that_name()
    {
        var wrong = new List<string>();
        foreach (var (name, method) in ServedRpcs.Of(daemon.App))
        {
            var permission = RpcPermissions.Of(name);
            foreach (var rule in Enum.GetValues<ScopeRule>())
            {
                // wallet_id, request_digest, sequence: a request that carries one is checked by it, and only such a request.
                if (ScopeCheck.FieldOf(rule) is not { } field) continue;
                var carries = method.InputType.FindFieldByName(field.Name) is { IsRepeated: false } f && f.FieldType == field.Type;
                if (carries != (permission.Scope == rule))
                    wrong.Add($"{name}: scope rule {permission.Scope}, but its request {(carries ? "carries" : "lacks")} {field.Name}");
            }
            if (permission.CallerField is { } callerField &&
                method.InputType.FindFieldByName(callerField) is not { IsRepeated: false, FieldType: Google.Protobuf.Reflection.FieldType.String })
                wrong.Add($"{name}: its request has no string field {callerField}");
            // A client stream's requests arrive after authorisation: nothing can be read from them.
            if (method.IsClientStreaming && (ScopeCheck.FieldOf(permission.Scope) is not null || permission.CallerField is not null))
                wrong.Add($"{name}: a client stream, yet its check reads the request");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }
}
