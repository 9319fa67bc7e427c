using System.Text.Json;

namespace Orchestrator.Core.Events;

/// <summary>Writes and reads the canonical event as nested ECS JSON (<c>{"source":{"ip":"..."}}</c>).</summary>
public static class SecurityEventJson
{
    /// <summary>Writes one event as a nested ECS JSON object.</summary>
    public static void Write(Utf8JsonWriter writer, SecurityEvent evt) => throw new NotImplementedException();

    /// <summary>One event as a single line of nested ECS JSON.</summary>
    public static string Serialize(SecurityEvent evt) => throw new NotImplementedException();
}
