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

    // For the any-case fallback: labels bucketed by length.
    private static readonly SepLabel[][] ByLength = Enumerable.Range(0, MaxLength + 1)
        .Select(n => Known.Where(l => l.Name.Length == n).ToArray())
        .ToArray();

    // The compiler turns a switch on a span into a dispatch on length and characters: no hashing.
    // Kept in the order of Known (SepLabelsTests checks every name finds its own entry).
    private static int ExactIndex(ReadOnlySpan<char> label) => label switch
    {
        "Event time" => 0,
        "Event Time" => 1,
        "Date" => 2,
        "Time" => 3,
        "Begin" => 4,
        "IP Address" => 5,
        "Computer name" => 6,
        "Computer" => 7,
        "Risk name" => 8,
        "Risk" => 9,
        "Rule" => 10,
        "CIDS Signature string" => 11,
        "User" => 12,
        "User Name" => 13,
        "File path" => 14,
        "Source computer" => 15,
        "Source Computer Name" => 16,
        "Source IP" => 17,
        "Source Computer IP" => 18,
        "Actual action" => 19,
        "Action" => 20,
        "Application hash" => 21,
        "Hash type" => 22,
        "Occurrences" => 23,
        "Local Host IP" => 24,
        "Local Host MAC" => 25,
        "Local Port" => 26,
        "Remote Host IP" => 27,
        "Remote Host Name" => 28,
        "Remote Host MAC" => 29,
        "Remote Port" => 30,
        "Application" => 31,
        "SHA-256" => 32,
        "MD-5" => 33,
        "Intrusion ID" => 34,
        "Event Description" => 35,
        "Event" => 36,
        "Source" => 37,
        "Description" => 38,
        "Requested action" => 39,
        "Secondary action" => 40,
        "Inserted" => 41,
        "Event Insert Time" => 42,
        "End" => 43,
        "End Time" => 44,
        "Last update time" => 45,
        "Domain" => 46,
        "Domain Name" => 47,
        "Group" => 48,
        "Group Name" => 49,
        "Server" => 50,
        "Server Name" => 51,
        "Site" => 52,
        "Admin" => 53,
        "Category" => 54,
        "Location" => 55,
        "Disposition" => 56,
        "Download site" => 57,
        "Web domain" => 58,
        "Downloaded by" => 59,
        "Prevalence" => 60,
        "Confidence" => 61,
        "URL Tracking Status" => 62,
        "First Seen" => 63,
        "Sensitivity" => 64,
        "Permitted application reason" => 65,
        "Allowed application reason" => 66,
        "Company name" => 67,
        "Application name" => 68,
        "Application version" => 69,
        "Application type" => 70,
        "File size (bytes)" => 71,
        "Category set" => 72,
        "Category type" => 73,
        "Intensive Protection Level" => 74,
        "Certificate issuer" => 75,
        "Certificate signer" => 76,
        "Certificate thumbprint" => 77,
        "Signing timestamp" => 78,
        "Certificate serial number" => 79,
        "Detection type" => 80,
        "Risk Level" => 81,
        "Risk type" => 82,
        "Scan ID" => 83,
        "Severity" => 84,
        _ => -1,
    };

    /// <summary>The longest label SEP writes (Elastic's key pattern allows 29 characters).</summary>
    public const int MaxLength = 29;

    /// <summary>Every known label, in table order.</summary>
    public static IReadOnlyList<SepLabel> All => Known;

    /// <summary>The known label for <paramref name="label"/> (exact spelling first, then any case), or null.</summary>
    public static SepLabel? Find(ReadOnlySpan<char> label, out bool exact)
    {
        exact = false;
        if (label.Length > MaxLength)
        {
            return null;
        }

        var index = ExactIndex(label);
        if (index >= 0)
        {
            exact = true;
            return Known[index];
        }

        foreach (var known in ByLength[label.Length])
        {
            if (label.Equals(known.Name, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        return null;
    }

}
