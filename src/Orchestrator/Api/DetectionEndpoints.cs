using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Orchestrator.Detection;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Api;

/// <summary>What the detectors found: <c>GET /api/v1/outbreak</c> (sources by distinct victims and the infection chain).</summary>
public static class DetectionEndpoints
{
    public static void MapDetectionEndpoints(this IEndpointRouteBuilder app)
    {
        // ?since=1h (or an ISO time; default 1h) &until= (default now) &format=json|mermaid|dot|text (default json).
        app.MapGet("/api/v1/outbreak", async (HttpContext context, ApiKeyAuth auth, SqliteEventStore store, DetectionOptions options, TimeProvider time) =>
        {
            if (auth.Check(context, ApiKeyRoles.Admin) is { } denied)
            {
                return denied;
            }

            var q = context.Request.Query;
            var now = time.GetUtcNow();
            if (!OutbreakArguments.TryParse(q["since"], q["until"], q["format"], "json", now, out var range, out var error))
            {
                return Results.BadRequest(new ApiError(error));
            }

            var view = await OutbreakView.BuildAsync(store, options.Outbreak, range.Since, range.Until, context.RequestAborted).ConfigureAwait(false);
            var contentType = range.Format switch { "json" => "application/json", "dot" => "text/vnd.graphviz", _ => "text/plain" };
            return Results.Text(view.Render(range.Format), contentType, Encoding.UTF8);
        });
    }
}
