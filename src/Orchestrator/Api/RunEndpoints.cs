using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Orchestrator.Response;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Api;

/// <summary>
/// Runs and incidents over HTTP (admin keys): list and show them, approve, deny or cancel a run,
/// resolve an incident. The actor of a change is the name of the caller's API key.
/// </summary>
public static class RunEndpoints
{
    public static void MapRunEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/runs", async (HttpContext context, ApiKeyAuth auth, SqliteRunStore store, string? playbook, string? status, string? limit) =>
        {
            if (auth.Check(context, ApiKeyRoles.Admin) is { } denied)
            {
                return denied;
            }

            if (!RunViews.TryParseRunFilter(status, limit, out var parsedStatus, out var parsedLimit, out var error))
            {
                return Results.BadRequest(new ApiError(error));
            }

            var runs = await store.ListAsync(string.IsNullOrWhiteSpace(playbook) ? null : playbook, parsedStatus, parsedLimit, context.RequestAborted).ConfigureAwait(false);
            return Results.Json(new { count = runs.Count, runs = runs.Select(RunViews.Summary) });
        });

        app.MapGet("/api/v1/runs/{id}", async (HttpContext context, string id, ApiKeyAuth auth, SqliteRunStore store) =>
        {
            if (auth.Check(context, ApiKeyRoles.Admin) is { } denied)
            {
                return denied;
            }

            var run = await RunViews.DetailAsync(store, id, context.RequestAborted).ConfigureAwait(false);
            return run is null ? Results.NotFound(new ApiError($"no run with id {id}")) : Results.Json(run);
        });

        app.MapPost("/api/v1/playbooks/{id}/runs", (HttpContext context, string id, ApiKeyAuth auth, ResponseService response, SqliteRunStore store) =>
            StartRunAsync(context, id, auth, response, store));
        app.MapPost("/api/v1/runs/{id}/approve", (HttpContext context, string id, ApiKeyAuth auth, ResponseService response, SqliteRunStore store) =>
            ResolveApprovalAsync(context, id, approved: true, auth, response, store));

        app.MapPost("/api/v1/runs/{id}/deny", (HttpContext context, string id, ApiKeyAuth auth, ResponseService response, SqliteRunStore store) =>
            ResolveApprovalAsync(context, id, approved: false, auth, response, store));

        app.MapPost("/api/v1/runs/{id}/cancel", async (HttpContext context, string id, ApiKeyAuth auth, ResponseService response, SqliteRunStore store) =>
        {
            if (auth.Check(context, ApiKeyRoles.Admin, out var actor) is { } denied)
            {
                return denied;
            }

            var (comment, bad) = await ReadCommentAsync(context).ConfigureAwait(false);
            return bad ?? await AnswerAsync(async () =>
            {
                var run = await response.CancelAsync(id, actor, comment, CancellationToken.None).ConfigureAwait(false);
                return Results.Json(await RunViews.DetailAsync(store, run, context.RequestAborted).ConfigureAwait(false));
            }).ConfigureAwait(false);
        });

        app.MapGet("/api/v1/incidents", async (HttpContext context, ApiKeyAuth auth, SqliteRunStore store, string? open, string? limit) =>
        {
            if (auth.Check(context, ApiKeyRoles.Admin) is { } denied)
            {
                return denied;
            }

            if (!RunViews.TryParseLimit(limit, out var parsedLimit, out var error))
            {
                return Results.BadRequest(new ApiError(error));
            }

            if (open is not null && !bool.TryParse(open, out _))
            {
                return Results.BadRequest(new ApiError($"open: '{open}' is not true or false"));
            }

            var incidents = await store.ListIncidentsAsync(open is not null && bool.Parse(open), parsedLimit, context.RequestAborted).ConfigureAwait(false);
            return Results.Json(new { count = incidents.Count, incidents = incidents.Select(RunViews.Summary) });
        });

        app.MapGet("/api/v1/incidents/{id}", async (HttpContext context, string id, ApiKeyAuth auth, SqliteRunStore store) =>
        {
            if (auth.Check(context, ApiKeyRoles.Admin) is { } denied)
            {
                return denied;
            }

            var incident = await store.GetIncidentAsync(id, context.RequestAborted).ConfigureAwait(false);
            var view = await RunViews.DetailAsync(store, incident, context.RequestAborted).ConfigureAwait(false);
            return view is null ? Results.NotFound(new ApiError($"no incident with id {id}")) : Results.Json(view);
        });

        app.MapPost("/api/v1/incidents/{id}/resolve", async (HttpContext context, string id, ApiKeyAuth auth, ResponseService response, SqliteRunStore store) =>
        {
            if (auth.Check(context, ApiKeyRoles.Admin, out var actor) is { } denied)
            {
                return denied;
            }

            var (comment, bad) = await ReadCommentAsync(context).ConfigureAwait(false);
            return bad ?? await AnswerAsync(async () =>
            {
                var incident = await response.ResolveIncidentAsync(id, actor, comment, CancellationToken.None).ConfigureAwait(false);
                var view = await RunViews.DetailAsync(store, incident, context.RequestAborted).ConfigureAwait(false);
                return view is null ? Results.NotFound(new ApiError($"no incident with id {id}")) : Results.Json(view);
            }).ConfigureAwait(false);
        });

        app.MapPost("/api/v1/incidents/{id}/ack", async (HttpContext context, string id, ApiKeyAuth auth, ResponseService response, SqliteRunStore store) =>
        {
            if (auth.Check(context, ApiKeyRoles.Admin, out var actor) is { } denied)
            {
                return denied;
            }

            var (comment, bad) = await ReadCommentAsync(context).ConfigureAwait(false);
            return bad ?? await AnswerAsync(async () =>
            {
                var incident = await response.AcknowledgeIncidentAsync(id, actor, comment, CancellationToken.None).ConfigureAwait(false);
                var view = await RunViews.DetailAsync(store, incident, context.RequestAborted).ConfigureAwait(false);
                return view is null ? Results.NotFound(new ApiError($"no incident with id {id}")) : Results.Json(view);
            }).ConfigureAwait(false);
        });
    }

    private static async Task<IResult> StartRunAsync(HttpContext context, string playbookId, ApiKeyAuth auth, ResponseService response, SqliteRunStore store)
    {
        if (auth.Check(context, ApiKeyRoles.Admin, out var actor) is { } denied)
        {
            return denied;
        }

        const string Expected = "the body is JSON like {\"event_id\": 42, \"dry_run\": true}";
        long eventId;
        bool dryRun;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("event_id", out var id) || !id.TryGetInt64(out eventId))
            {
                return Results.BadRequest(new ApiError("event_id: a stored event id is required; " + Expected));
            }

            dryRun = root.TryGetProperty("dry_run", out var dry) && dry.ValueKind == JsonValueKind.True;
        }
        catch (JsonException ex)
        {
            return Results.BadRequest(new ApiError($"{Expected} ({ex.Message})"));
        }

        return await AnswerAsync(async () =>
        {
            var run = await response.StartRunAsync(playbookId, eventId, dryRun, actor, CancellationToken.None).ConfigureAwait(false);
            return Results.Json(await RunViews.DetailAsync(store, run, context.RequestAborted).ConfigureAwait(false), statusCode: StatusCodes.Status202Accepted);
        }).ConfigureAwait(false);
    }

    private static async Task<IResult> ResolveApprovalAsync(HttpContext context, string id, bool approved, ApiKeyAuth auth, ResponseService response, SqliteRunStore store)
    {
        if (auth.Check(context, ApiKeyRoles.Admin, out var actor) is { } denied)
        {
            return denied;
        }

        var (comment, bad) = await ReadCommentAsync(context).ConfigureAwait(false);
        return bad ?? await AnswerAsync(async () =>
        {
            var run = await response.ResolveApprovalAsync(id, approved, actor, comment, CancellationToken.None).ConfigureAwait(false);
            return Results.Json(await RunViews.DetailAsync(store, run, context.RequestAborted).ConfigureAwait(false));
        }).ConfigureAwait(false);
    }

    // The response service says what is wrong with a change by the exception it throws. A change
    // runs with CancellationToken.None: a client that hangs up must not leave a run half-approved.
    internal static async Task<IResult> AnswerAsync(Func<Task<IResult>> change)
    {
        try
        {
            return await change().ConfigureAwait(false);
        }
        catch (KeyNotFoundException ex)
        {
            return Results.NotFound(new ApiError(ex.Message));
        }
        catch (UnauthorizedAccessException ex)
        {
            return Results.Json(new ApiError(ex.Message), statusCode: StatusCodes.Status403Forbidden);
        }
        catch (InvalidOperationException ex)
        {
            return Results.Conflict(new ApiError(ex.Message));
        }
    }

    /// <summary>The optional body <c>{"comment": "..."}</c>: the comment, or the 400 to return.</summary>
    internal static async Task<(string? Comment, IResult? Error)> ReadCommentAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, null);
        }

        const string Expected = "the body is optional; when given it is JSON like {\"comment\": \"why\"}";
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, Results.BadRequest(new ApiError(Expected)));
            }

            if (!document.RootElement.TryGetProperty("comment", out var comment) || comment.ValueKind == JsonValueKind.Null)
            {
                return (null, null);
            }

            return comment.ValueKind == JsonValueKind.String
                ? (comment.GetString(), null)
                : (null, Results.BadRequest(new ApiError($"comment: must be a string; {Expected}")));
        }
        catch (JsonException ex)
        {
            return (null, Results.BadRequest(new ApiError($"invalid JSON at line {(ex.LineNumber ?? 0) + 1}: {Expected}", (int)(ex.LineNumber ?? 0) + 1)));
        }
    }
}
