using Custody.Core;
using Custody.Daemon.Auth;
using Custody.Core.Ledger;
using Custody.V1;
using Grpc.Core;

namespace Custody.Daemon.Services;

/// <summary>The authenticated no-op: proves credentials and measures the transport alone.</summary>
public sealed class SystemService : V1.SystemService.SystemServiceBase
{
    private static readonly string Version = BuildVersion.Of(typeof(SystemService).Assembly).ToString();

    public override Task<PingResponse> Ping(PingRequest request, ServerCallContext context)
    {
        var caller = Caller.Of(context);
        return Task.FromResult(new PingResponse { Version = Version, Principal = caller.Principal, Roles = { RoleNames.ToList(caller.Roles) } });
    }
}
