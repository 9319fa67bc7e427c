namespace Orchestrator.Core.Parsing.Sep;

/// <summary>What the SEP parsers do with a column, decided by its label (or CSV header name).</summary>
internal enum SepField
{
    /// <summary>No ECS home: kept as a label under the name as written.</summary>
    Label,
    EventTime,
    Begin,
    HostIp,
    HostName,
    RiskName,
    Rule,
    SignatureName,
    UserName,
    FilePath,
    SourceComputer,
    SourceIp,
    ActualAction,
    Action,
    ApplicationHash,
    HashType,
    Occurrences,
    LocalHostIp,
    LocalHostMac,
    LocalPort,
    RemoteHostIp,
    RemoteHostName,
    RemoteHostMac,
    RemotePort,
    Application,
    Sha256,
    Md5,
    IntrusionId,
    EventDescription,
    Event,
}

/// <summary>A known SEP label: the spelling Symantec writes, and what it maps to.</summary>
internal sealed record SepLabel(string Name, SepField Field);

/// <summary>The known SEP labels (both the pre-14.3 RU1 and the 14.3 RU1 spellings) and their lookup.</summary>
internal static class SepLabels
{
    private static readonly SepLabel[] Known =
    [
        new("Event time", SepField.EventTime),
        new("Event Time", SepField.EventTime),
        new("Date", SepField.EventTime),
        new("Time", SepField.EventTime),
        new("Begin", SepField.Begin),
        new("IP Address", SepField.HostIp),
        new("Computer name", SepField.HostName),
        new("Computer", SepField.HostName),
        new("Risk name", SepField.RiskName),
        new("Risk", SepField.RiskName),
        new("Rule", SepField.Rule),
        new("CIDS Signature string", SepField.SignatureName),
        new("User", SepField.UserName),
        new("User Name", SepField.UserName),
        new("File path", SepField.FilePath),
        new("Source computer", SepField.SourceComputer),
        new("Source Computer Name", SepField.SourceComputer),
        new("Source IP", SepField.SourceIp),
        new("Source Computer IP", SepField.SourceIp),
        new("Actual action", SepField.ActualAction),
        new("Action", SepField.Action),
        new("Application hash", SepField.ApplicationHash),
        new("Hash type", SepField.HashType),
        new("Occurrences", SepField.Occurrences),
        new("Local Host IP", SepField.LocalHostIp),
        new("Local Host MAC", SepField.LocalHostMac),
        new("Local Port", SepField.LocalPort),
        new("Remote Host IP", SepField.RemoteHostIp),
        new("Remote Host Name", SepField.RemoteHostName),
        new("Remote Host MAC", SepField.RemoteHostMac),
        new("Remote Port", SepField.RemotePort),
        new("Application", SepField.Application),
        new("SHA-256", SepField.Sha256),
        new("MD-5", SepField.Md5),
        new("Intrusion ID", SepField.IntrusionId),
        new("Event Description", SepField.EventDescription),
        new("Event", SepField.Event),

        // Known columns with no ECS home: listed so their label string is not allocated per line.
        new("Source", SepField.Label),
        new("Description", SepField.Label),
        new("Requested action", SepField.Label),
        new("Secondary action", SepField.Label),
        new("Inserted", SepField.Label),
        new("Event Insert Time", SepField.Label),
        new("End", SepField.Label),
        new("End Time", SepField.Label),
        new("Last update time", SepField.Label),
        new("Domain", SepField.Label),
        new("Domain Name", SepField.Label),
        new("Group", SepField.Label),
        new("Group Name", SepField.Label),
        new("Server", SepField.Label),
        new("Server Name", SepField.Label),
        new("Site", SepField.Label),
        new("Admin", SepField.Label),
        new("Category", SepField.Label),
        new("Location", SepField.Label),
        new("Disposition", SepField.Label),
        new("Download site", SepField.Label),
        new("Web domain", SepField.Label),
        new("Downloaded by", SepField.Label),
        new("Prevalence", SepField.Label),
        new("Confidence", SepField.Label),
        new("URL Tracking Status", SepField.Label),
        new("First Seen", SepField.Label),
        new("Sensitivity", SepField.Label),
        new("Permitted application reason", SepField.Label),
        new("Allowed application reason", SepField.Label),
        new("Company name", SepField.Label),
        new("Application name", SepField.Label),
        new("Application version", SepField.Label),
        new("Application type", SepField.Label),
        new("File size (bytes)", SepField.Label),
        new("Category set", SepField.Label),
        new("Category type", SepField.Label),
        new("Intensive Protection Level", SepField.Label),
        new("Certificate issuer", SepField.Label),
        new("Certificate signer", SepField.Label),
        new("Certificate thumbprint", SepField.Label),
        new("Signing timestamp", SepField.Label),
        new("Certificate serial number", SepField.Label),
        new("Detection type", SepField.Label),
        new("Risk Level", SepField.Label),
        new("Risk type", SepField.Label),
        new("Scan ID", SepField.Label),
        new("Severity", SepField.Label),
    ];

    // Labels bucketed by length: a lookup compares a handful of same-length names, no hashing.
    private static readonly SepLabel[][] ByLength = Enumerable.Range(0, MaxLength + 1)
        .Select(n => Known.Where(l => l.Name.Length == n).ToArray())
        .ToArray();

    /// <summary>The longest label SEP writes (Elastic's key pattern allows 29 characters).</summary>
    public const int MaxLength = 29;

    /// <summary>The known label for <paramref name="label"/> (exact spelling first, then any case), or null.</summary>
    public static SepLabel? Find(ReadOnlySpan<char> label, out bool exact)
    {
        exact = false;
        if (label.Length > MaxLength)
        {
            return null;
        }

        var bucket = ByLength[label.Length];
        foreach (var known in bucket)
        {
            if (known.Name[0] == label[0] && label.SequenceEqual(known.Name))
            {
                exact = true;
                return known;
            }
        }

        foreach (var known in bucket)
        {
            if (label.Equals(known.Name, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        return null;
    }

}
