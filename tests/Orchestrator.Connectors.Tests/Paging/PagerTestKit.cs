using Orchestrator.Connectors.Paging;

namespace Orchestrator.Connectors.Tests.Paging;

/// <summary>Pages, keys and senders the paging tests share.</summary>
internal static class PagerTestKit
{
    public const string RoutingKey = "R0ut1ngK3yR0ut1ngK3yR0ut1ngK3y00";
    public const string GenieKey = "eb243592-faa2-4ba2-a551-1afdf565c889";

    public static Page Page(PageAction action = PageAction.Trigger, string dedupKey = "incident-7", string summary = "pc-042 infected 3 hosts over SMB", string severity = "critical") =>
        new(action, dedupKey, summary, severity, "pc-042", new Dictionary<string, object?> { ["victims"] = "3", ["rule"] = "share-worm" });

    /// <summary>A sender on an instant clock, with no jitter so the backoff waits are exact.</summary>
    public static PagerHttpSender Sender(HttpClient http, TimeProvider time, int attempts = 3) =>
        new(http, time, new PagerRetryOptions { MaxAttempts = attempts, InitialBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromSeconds(30) }, () => 1.0);
}
