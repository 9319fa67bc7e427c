using System.Net;
using Orchestrator.Core.Events;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Core.Tests.Playbooks;

public sealed class PlaybookTemplateTests
{
    private static string Render(string source, TemplateValues values)
    {
        Assert.True(PlaybookTemplate.TryParse(source, out var template, out var error, out _), error);
        return template!.Render(values);
    }

    [Fact]
    public void Render_EventFieldsWindowAndStepOutputs_FillsEach()
    {
        var evt = new SecurityEvent { SourceIp = IPAddress.Parse("10.0.0.5"), SourceName = "HOST-A", HostMac = MacAddress.Parse("AA-BB-CC-DD-EE-FF") };
        evt.ProcessName = "evil.exe";
        var values = new TemplateValues
        {
            Event = evt,
            Window = new Dictionary<string, object?> { ["distinct"] = 3, ["count"] = 4 },
            Steps = new Dictionary<string, IReadOnlyDictionary<string, object?>> { ["locate"] = new Dictionary<string, object?> { ["port"] = "Gi1/0/7" } },
        };

        var text = Render("{{ event.source.name | downcase }} ({{ event.source.ip }}, {{ event.host.mac }}) ran {{ event.process.name }}, infected {{ window.distinct }} hosts; port {{ steps.locate.port }}", values);

        Assert.Equal("host-a (10.0.0.5, aa:bb:cc:dd:ee:ff) ran evil.exe, infected 3 hosts; port Gi1/0/7", text);
    }

    [Fact]
    public void Render_MissingField_RendersEmpty()
    {
        Assert.Equal("[]", Render("[{{ event.destination.ip }}]", new TemplateValues { Event = new SecurityEvent() }));
    }

    [Fact]
    public void Render_Labels_ByVendorName()
    {
        var evt = new SecurityEvent();
        evt.SetLabel("Risk_action", "Quarantined");

        Assert.Equal("Quarantined", Render("{{ event.labels.Risk_action }}", new TemplateValues { Event = evt }));
    }

    [Fact]
    public void TryParse_SyntaxError_GivesOffsetInSource()
    {
        Assert.False(PlaybookTemplate.TryParse("ab\ncd {% if %}", out _, out var error, out var offset));
        Assert.Equal("Invalid 'if' tag", error);
        Assert.Equal(11, offset);
    }

    [Fact]
    public void ParameterMap_Render_RendersNestedTemplatesAndKeepsPlainText()
    {
        var set = PlaybookLoader.Load([new PlaybookSource("p.yaml", """
            id: x
            on: other
            steps:
              - notify: { message: "from {{ event.source.ip }}", channels: [soc, "{{ event.host.name }}"], for: 24h }
            """)], null);
        Assert.True(set.IsValid, string.Join("\n", set.Errors));

        var rendered = set.Playbooks[0].Steps[0].Parameters.RenderMap(new TemplateValues
        {
            Event = new SecurityEvent { SourceIp = IPAddress.Parse("192.0.2.1"), HostName = "PC-7" },
        });

        Assert.Equal("from 192.0.2.1", rendered["message"]);
        Assert.Equal(["soc", "PC-7"], Assert.IsType<List<object?>>(rendered["channels"]));
        Assert.Equal("24h", rendered["for"]);
    }
}
