using Orchestrator.Core.Detection.FirstSeen;
using Orchestrator.Core.Events;
using static Orchestrator.Core.Tests.Detection.FirstSeen.ProcessStarts;

namespace Orchestrator.Core.Tests.Detection.FirstSeen;

public sealed class ProcessKeyTests
{
    [Fact]
    public void Of_UppercaseSha256_IsTheLowercaseHash()
    {
        var evt = Start(1, Day, "pc-1", sha256: HashA.ToUpperInvariant());

        Assert.Equal("sha256:" + HashA, ProcessKey.Of(evt));
    }

    [Theory]
    [InlineData("ab12")]
    [InlineData("SHA256=3337E3875B05E0BFBA69AB926532E3F179E8CFBF162EBB60CE58A0281437A7EF")]
    [InlineData("zz37e3875b05e0bfba69ab926532e3f179e8cfbf162ebb60ce58a0281437a7ef")]
    [InlineData("")]
    [InlineData(null)]
    public void Of_NoUsableSha256_IsTheLowercasedPath(string? hash)
    {
        var evt = Start(1, Day, "pc-1", sha256: hash, path: @"C:\Program Files\Tool\Tool.EXE");

        Assert.Equal(@"path:c:\program files\tool\tool.exe", ProcessKey.Of(evt));
    }

    [Fact]
    public void Of_NoHashNoPath_IsTheLowercasedName()
    {
        var evt = Start(1, Day, "pc-1", sha256: null, path: " ", name: "PowerShell.exe");

        Assert.Equal("name:powershell.exe", ProcessKey.Of(evt));
    }

    [Fact]
    public void Of_NoProcessNamed_IsNull()
    {
        var evt = new SecurityEvent { Kind = EventKinds.ProcessStarted, HostName = "pc-1", ProcessPid = 7 };

        Assert.Null(ProcessKey.Of(evt));
    }
}
