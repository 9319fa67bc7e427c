using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Orchestrator.Connectors.Firewalls;
using Orchestrator.Connectors.Switches;
using Orchestrator.Core.Configuration;
using Orchestrator.Core.Containment;
using Orchestrator.Core.Runs;
using Orchestrator.Response;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Api;

/// <summary>
/// The containment ledger over HTTP (admin keys): list and show containments, contain a host by hand, and
/// release a containment. A containment or release by hand is a run of one step (see
/// <see cref="ResponseService.ContainAsync"/>); the answer comes when the device has been changed and read back.
/// </summary>
public static class ContainmentEndpoints
{
    private const string ContainExpected = """the body is JSON like {"target": "10.1.2.3", "action": "quarantine", "device": "sw1", "vlan": 999, "fallback": "shutdown", "reason": "why", "dry_run": false} or {"target": "10.1.2.3", "action": "block", "device": "fw1", "for": "2h", "reason": "why"}""";

    public static void MapContainmentEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/containments", async (HttpContext context, ApiKeyAuth auth, IContainmentLedger ledger, string? active, string? limit) =>
        {
            if (auth.Check(context, ApiKeyRoles.Admin) is { } denied)
            {
                return denied;
            }

            if (!RunViews.TryParseLimit(limit, out var parsedLimit, out var error))
            {
                return Results.BadRequest(new ApiError(error));
            }

            if (active is not null && !bool.TryParse(active, out _))
            {
                return Results.BadRequest(new ApiError($"active: '{active}' is not true or false"));
            }

            var records = await ledger.ListAsync(active is not null && bool.Parse(active), parsedLimit, context.RequestAborted).ConfigureAwait(false);
            return Results.Json(new { count = records.Count, containments = records.Select(ContainmentView.From) });
        });

        app.MapGet("/api/v1/containments/{id}", async (HttpContext context, string id, ApiKeyAuth auth, IContainmentLedger ledger) =>
        {
            if (auth.Check(context, ApiKeyRoles.Admin) is { } denied)
            {
                return denied;
            }

            var record = await ledger.GetAsync(id, context.RequestAborted).ConfigureAwait(false);
            return record is null ? Results.NotFound(new ApiError($"no containment with id {id}")) : Results.Json(ContainmentView.From(record));
        });

        app.MapPost("/api/v1/containments", async (HttpContext context, ApiKeyAuth auth, ResponseService response, SqliteRunStore store, IContainmentLedger ledger) =>
        {
            if (auth.Check(context, ApiKeyRoles.Admin, out var actor) is { } denied)
            {
                return denied;
            }

            var (request, bad) = await ReadContainRequestAsync(context).ConfigureAwait(false);
            if (bad is not null)
            {
                return bad;
            }

            // The change runs to its end even when the client hangs up: a half-made containment helps nobody.
            var run = await response.ContainAsync(request!.StepType, request.Parameters, request.DryRun, actor, CancellationToken.None).ConfigureAwait(false);
            return await AnswerAsync(run, store, ledger, context.RequestAborted).ConfigureAwait(false);
        });

        app.MapPost("/api/v1/containments/{id}/extend", async (HttpContext context, string id, ApiKeyAuth auth, ResponseService response, SqliteRunStore store, IContainmentLedger ledger) =>
        {
            if (auth.Check(context, ApiKeyRoles.Admin, out var actor) is { } denied)
            {
                return denied;
            }

            var (duration, comment, bad) = await ReadExtendAsync(context).ConfigureAwait(false);
            return bad ?? await RunEndpoints.AnswerAsync(async () =>
            {
                var run = await response.ExtendContainmentAsync(id, duration, actor, comment, CancellationToken.None).ConfigureAwait(false);
                if (run.Status != RunStatus.Succeeded)
                {
                    return await AnswerAsync(run, store, ledger, context.RequestAborted).ConfigureAwait(false);
                }

                var record = await ledger.GetAsync(id, context.RequestAborted).ConfigureAwait(false);
                return Results.Json(new { containment = ContainmentView.From(record!), run = await RunViews.DetailAsync(store, run, context.RequestAborted).ConfigureAwait(false) });
            }).ConfigureAwait(false);
        });

        app.MapPost("/api/v1/containments/{id}/release", async (HttpContext context, string id, ApiKeyAuth auth, ResponseService response, SqliteRunStore store, IContainmentLedger ledger) =>
        {
            if (auth.Check(context, ApiKeyRoles.Admin, out var actor) is { } denied)
            {
                return denied;
            }

            var (comment, bad) = await RunEndpoints.ReadCommentAsync(context).ConfigureAwait(false);
            return bad ?? await RunEndpoints.AnswerAsync(async () =>
            {
                var run = await response.ReleaseContainmentAsync(id, actor, comment, CancellationToken.None).ConfigureAwait(false);
                if (run.Status != RunStatus.Succeeded)
                {
                    return await AnswerAsync(run, store, ledger, context.RequestAborted).ConfigureAwait(false);
                }

                var record = await ledger.GetAsync(id, context.RequestAborted).ConfigureAwait(false);
                return Results.Json(new { containment = ContainmentView.From(record!), run = await RunViews.DetailAsync(store, run, context.RequestAborted).ConfigureAwait(false) });
            }).ConfigureAwait(false);
        });
    }

    /// <summary>
    /// 201 with the containment when the run succeeded; 202 when it waits for an approval (the blast-radius
    /// breaker held it); 422 with the step's error when it failed. The run is in every answer.
    /// </summary>
    private static async Task<IResult> AnswerAsync(RunRecord run, SqliteRunStore store, IContainmentLedger ledger, CancellationToken cancellationToken)
    {
        var detail = await RunViews.DetailAsync(store, run, cancellationToken).ConfigureAwait(false);
        if (run.Status == RunStatus.WaitingApproval)
        {
            return Results.Json(new { run = detail }, statusCode: StatusCodes.Status202Accepted);
        }

        if (run.Status != RunStatus.Succeeded)
        {
            return Results.Json(new { error = run.Error ?? run.Steps.LastOrDefault()?.Error ?? "the run did not succeed", run = detail }, statusCode: StatusCodes.Status422UnprocessableEntity);
        }

        var id = run.Steps.Select(s => s.Outputs?.GetValueOrDefault("containment_id") as string).LastOrDefault(i => i is not null);
        var record = id is null ? null : await ledger.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return Results.Json(new { containment = record is null ? null : ContainmentView.From(record), run = detail }, statusCode: StatusCodes.Status201Created);
    }

    // {"for": "2h", "comment": "why"}: the duration from now, and the audit comment.
    private static async Task<(TimeSpan Duration, string? Comment, IResult? Error)> ReadExtendAsync(HttpContext context)
    {
        const string Expected = """the body is JSON like {"for": "2h", "comment": "why"}""";
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("for", out var forValue) || forValue.ValueKind != JsonValueKind.String
                || !Durations.TryParse(forValue.GetString(), out var duration) || duration <= TimeSpan.Zero)
            {
                return (default, null, Results.BadRequest(new ApiError($"for: a positive duration is required; {Expected}")));
            }

            var comment = root.TryGetProperty("comment", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            return (duration, comment, null);
        }
        catch (JsonException ex)
        {
            return (default, null, Results.BadRequest(new ApiError($"invalid JSON at line {(ex.LineNumber ?? 0) + 1}: {Expected}")));
        }
    }

    private sealed record ContainRequest(string StepType, IReadOnlyDictionary<string, object?> Parameters, bool DryRun);

    // Each field is checked here and named when wrong; the step checks again what it receives.
    private static async Task<(ContainRequest? Request, IResult? Error)> ReadContainRequestAsync(HttpContext context)
    {
        static (ContainRequest?, IResult?) Bad(string message) => (null, Results.BadRequest(new ApiError($"{message}; {ContainExpected}")));
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            return Bad($"invalid JSON at line {(ex.LineNumber ?? 0) + 1}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Bad("the body must be a JSON object");
            }

            string? Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            foreach (var property in root.EnumerateObject())
            {
                var (expected, fits) = property.Name switch
                {
                    "target" or "action" or "device" or "fallback" or "reason" or "for" => ("a string", property.Value.ValueKind == JsonValueKind.String),
                    "vlan" => ("a number", property.Value.ValueKind == JsonValueKind.Number),
                    "dry_run" => ("true or false", property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False),
                    _ => ((string?)null, false),
                };
                if (expected is null)
                {
                    return Bad($"{property.Name}: unknown field");
                }

                if (!fits && property.Value.ValueKind != JsonValueKind.Null)
                {
                    return Bad($"{property.Name}: must be {expected}");
                }
            }

            var target = Text("target");
            if (string.IsNullOrWhiteSpace(target))
            {
                return Bad("target: required (an IP, a MAC or a host name)");
            }

            var action = Text("action");
            var stepType = action switch
            {
                "quarantine" => SwitchContainmentStep.QuarantineName,
                "shutdown" => SwitchContainmentStep.ShutdownName,
                "block" => FirewallBlockStep.Name,
                _ => null,
            };
            if (stepType is null)
            {
                return Bad(action is null ? "action: required (quarantine, shutdown or block)" : $"action: '{action}' is not quarantine, shutdown or block");
            }

            var block = stepType == FirewallBlockStep.Name;
            if (block && !System.Net.IPAddress.TryParse(target.Trim(), out _))
            {
                return Bad($"target: '{target}' is not an IP address (action block blocks an address)");
            }

            if (Text("for") is { } forText && (!Durations.TryParse(forText, out var span) || span <= TimeSpan.Zero))
            {
                return Bad("for: a positive duration (e.g. 2h)");
            }

            var parameters = new Dictionary<string, object?>(StringComparer.Ordinal) { [block ? "ip" : "target"] = target.Trim() };
            if (root.TryGetProperty("vlan", out var vlan) && vlan.ValueKind == JsonValueKind.Number)
            {
                if (stepType != SwitchContainmentStep.QuarantineName || !vlan.TryGetInt32(out var number) || number is < 1 or > 4094)
                {
                    return Bad("vlan: a VLAN id 1-4094, for action quarantine only");
                }

                parameters["vlan"] = number.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            if (Text("fallback") is { } fallback)
            {
                if (stepType != SwitchContainmentStep.QuarantineName || fallback is not ("shutdown" or "none"))
                {
                    return Bad("fallback: shutdown or none, for action quarantine only");
                }

                parameters["fallback"] = fallback;
            }

            foreach (var name in new[] { "device", "reason", "for" })
            {
                if (Text(name) is { Length: > 0 } value)
                {
                    parameters[name] = value;
                }
            }

            var dryRun = root.TryGetProperty("dry_run", out var dry) && dry.ValueKind == JsonValueKind.True;
            return (new ContainRequest(stepType, parameters, dryRun), null);
        }
    }
}
