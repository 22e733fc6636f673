using System.Reflection;
using Custody.Daemon.Configuration;
using Google.Protobuf.Reflection;
using Google.Rpc;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi.Models;

namespace Custody.Daemon.Http;

/// <summary>
/// The same services as HTTP/JSON: gRPC JSON transcoding of the proto's google.api.http routes
/// (one contract; the calls run through the same interceptors: authentication, scope, rate
/// limit, error mapping, metrics), the OpenAPI document generated from the proto, and the
/// load balancers' <c>/healthz</c> and <c>/readyz</c>. None of these answer on the metrics port.
/// </summary>
public static class HttpApi
{
    /// <summary>Where the OpenAPI document is served (docs/openapi.json is a copy; a test holds them equal).</summary>
    public const string OpenApiPath = "/openapi/v1.json";

    public static void AddHttpApi(this IServiceCollection services)
    {
        services.AddGrpc().AddJsonTranscoding(transcoding =>
        {
            // Errors are google.rpc.Status with its details (ErrorInfo, BadRequest) written out.
            transcoding.JsonSettings.WriteIndented = false;
            // proto3 JSON: 64-bit integers as strings, which JavaScript's numbers cannot hold exactly.
            transcoding.JsonSettings.WriteInt64sAsStrings = true;
            transcoding.TypeRegistry = TypeRegistry.FromMessages(ErrorInfo.Descriptor, BadRequest.Descriptor);
        });
        services.AddGrpcSwagger();
        services.AddSwaggerGen(swagger =>
        {
            swagger.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "Custody",
                Version = "v1",
                Description = "The Custody signing service over HTTP/JSON, transcoded from the gRPC contract proto/custody/v1 " +
                    "(every operation is an rpc there). Every call but /healthz and /readyz needs 'Authorization: Bearer <token>'. " +
                    "Errors are google.rpc.Status JSON whose details hold a google.rpc.ErrorInfo (domain custody.v1) naming the reason.",
                License = new OpenApiLicense { Name = "Apache-2.0" },
            });
            swagger.AddSecurityDefinition("bearer", new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer" });
            swagger.AddSecurityRequirement(new OpenApiSecurityRequirement
            {
                [new OpenApiSecurityScheme { Reference = new OpenApiReference { Type = ReferenceType.SecurityScheme, Id = "bearer" } }] = [],
            });
            // The proto comments, compiled into the contract's XML documentation, describe operations and fields.
            var comments = Path.Combine(AppContext.BaseDirectory, typeof(V1.WalletService).Assembly.GetName().Name + ".xml");
            if (File.Exists(comments))
            {
                swagger.IncludeXmlComments(comments);
                swagger.IncludeGrpcXmlComments(comments, includeControllerXmlComments: true);
            }
        });
    }

    /// <summary>Maps the OpenAPI document and the health endpoints; the transcoded routes come with the gRPC services.</summary>
    public static void MapHttpApi(this WebApplication app, int metricsPort, int maxBodyBytes)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(new StrictJsonRequests(maxBodyBytes).InvokeAsync);
        if (metricsPort > 0)
        {
            // The metrics port serves /metrics alone: the API has its own ports and their TLS.
            app.Use((http, next) => http.Connection.LocalPort == metricsPort && http.Request.Path != "/metrics"
                ? Results.NotFound().ExecuteAsync(http)
                : next(http));
        }
        app.UseSwagger(swagger => swagger.RouteTemplate = "openapi/{documentName}.json");
        // Liveness: the process answers. Readiness: the HSM and the ledger answer too.
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz");
    }
}
