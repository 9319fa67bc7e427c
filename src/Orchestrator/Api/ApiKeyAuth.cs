using Microsoft.AspNetCore.Http;

namespace Orchestrator.Api;

/// <summary>Finds the caller's key (<c>Authorization: Bearer KEY</c> or <c>X-Api-Key: KEY</c>) and checks its role.</summary>
public sealed class ApiKeyAuth(ApiKeyRing keys, ApiMetrics metrics)
{
    /// <summary>Null when allowed; otherwise the 401/403 result to return.</summary>
    public IResult? Check(HttpContext context, string requiredRole) => Check(context, requiredRole, out _);

    /// <summary>Null when allowed, with the name of the caller's key (the actor of what it changes); otherwise the 401/403 result to return.</summary>
    public IResult? Check(HttpContext context, string requiredRole, out string keyName)
    {
        ArgumentNullException.ThrowIfNull(context);
        keyName = "";
        var presented = context.Request.Headers["X-Api-Key"].FirstOrDefault();
        var authorization = context.Request.Headers.Authorization.FirstOrDefault();
        if (presented is null && authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = authorization[7..].Trim();
        }

        var entry = keys.Authenticate(presented);
        if (entry is null)
        {
            metrics.Unauthorized();
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Json(new ApiError(presented is null ? "an API key is required (Authorization: Bearer KEY or X-Api-Key)" : "unknown API key"), statusCode: StatusCodes.Status401Unauthorized);
        }

        if (requiredRole == ApiKeyRoles.Admin && entry.Role != ApiKeyRoles.Admin)
        {
            metrics.Unauthorized();
            return Results.Json(new ApiError($"the key '{entry.Name}' has role {entry.Role}; this needs an admin key"), statusCode: StatusCodes.Status403Forbidden);
        }

        keyName = entry.Name;
        return null;
    }
}

/// <summary>The JSON error body of every API error.</summary>
public sealed record ApiError(string Error, int? Line = null, long? Position = null);
