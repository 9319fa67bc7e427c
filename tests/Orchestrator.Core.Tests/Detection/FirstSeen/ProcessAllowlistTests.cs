using Orchestrator.Core.Detection.FirstSeen;
using static Orchestrator.Core.Tests.Detection.FirstSeen.ProcessStarts;

namespace Orchestrator.Core.Tests.Detection.FirstSeen;

public sealed class ProcessAllowlistTests
{
    [Fact]
    public void Create_BadEntries_EachErrorNamesItsEntry()
    {
        ProcessAllowlist.Create(
            [HashA, HashB.ToUpperInvariant(), "xyz"],
            [@"C:\Tools\**", "", @"C:\Tools\a**b\*.exe"],
            ["Contoso Ltd", "  "],
            out var errors);

        Assert.Equal(
            [
                "allow.hashes[2]: 'xyz' is not a SHA-256 (64 hex digits)",
                @"allow.paths[1]: the glob is empty; give a path such as 'C:\Program Files\**'",
                @"allow.paths[2]: 'C:\Tools\a**b\*.exe' has '**' inside a path segment; '**' must be a whole segment, as in 'C:\Tools\**\*.exe'",
                "allow.signers[1]: the signer is empty; give the certificate subject as events carry it (process.code_signature.subject_name)",
            ],
            errors);
    }

    [Fact]
    public void Create_ValidEntries_NoErrors()
    {
        ProcessAllowlist.Create([HashA], [@"C:\Windows\**"], ["Microsoft Windows"], out var errors);

        Assert.Empty(errors);
    }

    [Fact]
    public void Match_HashInAnyCase_AllowsIt()
    {
        var allowlist = ProcessAllowlist.Create([HashA.ToUpperInvariant()], [], [], out _);

        Assert.Equal("allow.hashes: " + HashA, allowlist.Match(Start(1, Day, "pc-1", sha256: HashA)));
        Assert.Null(allowlist.Match(Start(1, Day, "pc-1", sha256: HashB)));
    }

    [Theory]
    [InlineData(@"C:\Tools\*.exe", @"C:\Tools\scan.exe", true)]
    [InlineData(@"C:\Tools\*.exe", @"c:/tools/SCAN.EXE", true)]
    [InlineData(@"C:\Tools\*.exe", @"C:\Tools\sub\scan.exe", false)]
    [InlineData(@"C:\Tools\**\*.exe", @"C:\Tools\scan.exe", true)]
    [InlineData(@"C:\Tools\**\*.exe", @"C:\Tools\a\b\scan.exe", true)]
    [InlineData(@"C:\Tools\**", @"C:\Tools\a\b\scan.exe", true)]
    [InlineData(@"C:\Tools\**", @"C:\Toolsx\scan.exe", false)]
    [InlineData(@"**\chrome.exe", @"C:\Program Files\Google\Chrome\Application\chrome.exe", true)]
    [InlineData(@"**\chrome.exe", @"C:\Temp\notchrome.exe", false)]
    [InlineData("/usr/bin/python3.?", "/usr/bin/python3.9", true)]
    [InlineData("/usr/bin/python3.?", "/usr/bin/python3.12", false)]
    [InlineData("/opt/app (x86)/[bin]/run", "/opt/app (x86)/[bin]/run", true)]
    public void Match_PathGlob_FollowsSegmentRules(string glob, string path, bool allowed)
    {
        var allowlist = ProcessAllowlist.Create([], [glob], [], out var errors);
        Assert.Empty(errors);

        var reason = allowlist.Match(Start(1, Day, "pc-1", path: path));

        Assert.Equal(allowed ? "allow.paths: " + glob : null, reason);
    }

    [Theory]
    [InlineData("Microsoft Windows", true)]
    [InlineData("MICROSOFT WINDOWS", true)]
    [InlineData("Microsoft Windows Publisher", false)]
    [InlineData("Microsoft", false)]
    [InlineData(null, false)]
    public void Match_Signer_WholeSubjectIgnoringCase(string? signer, bool allowed)
    {
        var allowlist = ProcessAllowlist.Create([], [], ["Microsoft Windows"], out _);

        var reason = allowlist.Match(Start(1, Day, "pc-1", signer: signer));

        Assert.Equal(allowed ? "allow.signers: Microsoft Windows" : null, reason);
    }

    [Fact]
    public void Match_Empty_AllowsNothing()
    {
        Assert.Null(ProcessAllowlist.Empty.Match(Start(1, Day, "pc-1", signer: "Microsoft Windows")));
    }
}
