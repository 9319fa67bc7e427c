using System.Net;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Tests.Events;

public class SecurityEventTests
{
    [Fact]
    public void GroupedFields_SetOneAtATime_EachReadsBackAndTheOthersStayNull()
    {
        var evt = new SecurityEvent();
        var mac = MacAddress.Parse("00-11-22-33-44-55");

        evt.ProcessParentPid = 42;
        evt.DestinationMac = mac;
        evt.FileHashSha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709";

        Assert.Equal(42, evt.ProcessParentPid);
        Assert.Equal(mac, evt.DestinationMac);
        Assert.Null(evt.ProcessPid);
        Assert.Null(evt.ProcessExecutable);
        Assert.Null(evt.DestinationIp);
        Assert.Null(evt.DestinationPort);
        Assert.Equal("da39a3ee5e6b4b0d3255bfef95601890afd80709", evt.FileHashSha1);
        Assert.Null(evt.FileHashMd5);
    }

    [Fact]
    public void EveryCanonicalField_SetFromTextThenRead_GivesTheValueOnAFreshEvent()
    {
        foreach (var field in EcsFields.All)
        {
            var text = field.Type switch
            {
                EcsFieldType.Number => "8080",
                EcsFieldType.Ip => "192.0.2.7",
                EcsFieldType.Mac => "00-11-22-33-44-55",
                EcsFieldType.Timestamp => "2026-11-23T10:00:00Z",
                _ => "value of " + field.Path,
            };
            var evt = new SecurityEvent();

            Assert.True(field.TrySet(evt, text), field.Path);

            object expected = field.Type switch
            {
                EcsFieldType.Number => field.Get(evt) is int ? 8080 : 8080L,
                EcsFieldType.Ip => IPAddress.Parse(text),
                EcsFieldType.Mac => MacAddress.Parse(text),
                EcsFieldType.Timestamp => new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero),
                _ => text,
            };
            Assert.Equal(expected, field.Get(evt));
        }
    }

    [Fact]
    public void GroupedFields_SetToNullOnAFreshEvent_StayNull()
    {
        var evt = new SecurityEvent
        {
            ProcessName = null,
            DestinationPort = null,
            FileHashSha256 = null,
        };

        Assert.Null(evt.ProcessName);
        Assert.Null(evt.DestinationPort);
        Assert.Null(evt.FileHashSha256);
        Assert.Equal(SecurityEventJson.Serialize(new SecurityEvent()), SecurityEventJson.Serialize(evt));
    }
}
