using Orchestrator.Configuration;

namespace Orchestrator.Tests.Configuration;

public class ConfigLoaderTests
{
    [Fact]
    public void Parse_EmptyFile_GivesEmbeddedDefaultsOnLoopback()
    {
        var config = ConfigLoader.Parse("", "orchestrator.yaml");
        var settings = AppSettings.From(config, dataOverride: null);

        Assert.Equal("127.0.0.1:8080", settings.HttpEndpoint.ToString());
        Assert.Equal("127.0.0.1:5514", settings.SyslogUdp!.ToString());
        Assert.Equal("127.0.0.1:5514", settings.SyslogTcp!.ToString());
        Assert.Null(settings.SyslogTls);
        Assert.Equal(TimeSpan.FromDays(30), settings.Retention.MaxAge);
        Assert.EndsWith("data", settings.DataDirectory, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownKey_NamesFileLineColumnAndKey()
    {
        const string yaml = "http:\n  listen: 127.0.0.1:9000\n  lisen: 1\n";
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "orchestrator.yaml"));

        Assert.StartsWith("orchestrator.yaml:3:3: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("unknown key 'lisen'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BrokenYaml_NamesLineAndColumn()
    {
        const string yaml = "syslog:\n  udp: [unclosed\n";
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "o.yaml"));

        Assert.Matches(@"^o\.yaml:\d+:\d+: ", ex.Message);
    }

    [Fact]
    public void Parse_BadValues_EachErrorNamesItsKey()
    {
        const string yaml = """
            http:
              listen: localhost
              webhooks:
                - name: edr
                  format: nope
                  secret: plaintext-secret
            syslog:
              udp: off
              idle_timeout: forever
            storage:
              synchronous: sometimes
            """;
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "o.yaml"));

        Assert.Contains("o.yaml: http.listen: 'localhost' is not ADDR:PORT", ex.Message, StringComparison.Ordinal);
        Assert.Contains("http.webhooks[0].format: unknown format 'nope'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("http.webhooks[0].secret: write the secret by reference", ex.Message, StringComparison.Ordinal);
        Assert.Contains("syslog.idle_timeout: 'forever' is not a duration", ex.Message, StringComparison.Ordinal);
        Assert.Contains("storage.synchronous: 'sometimes'", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("syslog.udp", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("detection: { unknown_processes: { learn_for: 0 } }", 0)]
    [InlineData("detection: { unknown_processes: { learn_for: 7d } }", 7)]
    public void Parse_LearnFor_GivesTheLearningPeriodZeroWhenLeftOut(string yaml, int days)
    {
        var config = ConfigLoader.Parse(yaml, "o.yaml");
        var errors = new List<string>();

        var options = Orchestrator.Detection.DetectionOptions.Parse(config.Detection, errors);

        Assert.Empty(errors);
        Assert.Equal(TimeSpan.FromDays(days), options.FirstSeen.LearnFor);
    }

    [Theory]
    [InlineData("-1d", "o.yaml: detection.unknown_processes.learn_for: '-1d' is negative")]
    [InlineData("a week", "o.yaml: detection.unknown_processes.learn_for: 'a week' is not a duration like 7d")]
    public void Parse_BadLearnFor_ErrorNamesTheKeyAndWhy(string value, string expected)
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse($"detection: {{ unknown_processes: {{ learn_for: '{value}' }} }}", "o.yaml"));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", 120)]
    [InlineData("detection: { lookback: { late_telemetry: 0 } }", 0)]
    [InlineData("detection: { lookback: { late_telemetry: 30s } }", 30)]
    public void Parse_LateTelemetry_GivesTheWaitTwoMinutesWhenLeftOut(string yaml, int seconds)
    {
        var errors = new List<string>();

        var options = Orchestrator.Detection.DetectionOptions.Parse(ConfigLoader.Parse(yaml, "o.yaml").Detection, errors);

        Assert.Empty(errors);
        Assert.Equal(TimeSpan.FromSeconds(seconds), options.Lookback.LateTelemetry);
    }

    [Theory]
    [InlineData("late_telemetry: '-1m'", "o.yaml: detection.lookback.late_telemetry: '-1m' is negative; write 0 or leave it out for no waiting for late connections")]
    [InlineData("late_telemetry: soon", "o.yaml: detection.lookback.late_telemetry: 'soon' is not a duration like 2m")]
    [InlineData("max_waiting: 0", "o.yaml: detection.lookback: maxWaiting must be at least 1 (is 0)")]
    public void Parse_BadLateTelemetry_ErrorNamesTheKeyAndWhy(string setting, string expected)
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse($"detection: {{ lookback: {{ {setting} }} }}", "o.yaml"));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_CommandLineOverrides_WinOverFile()
    {
        var config = ConfigLoader.Parse("data: /var/lib/x\nsyslog:\n  tcp: 127.0.0.1:1514\n", "o.yaml");
        var settings = AppSettings.From(config, "/tmp/d", httpOverride: "[::1]:9090", udpOverride: "off", tcpOverride: null);

        Assert.Equal("/tmp/d", settings.DataDirectory);
        Assert.Equal("[::1]:9090", settings.HttpEndpoint.ToString());
        Assert.Null(settings.SyslogUdp);
        Assert.Equal(1514, settings.SyslogTcp!.Port);
    }

    [Fact]
    public void From_BadCommandLineEndpoint_SaysCommandLine()
    {
        var ex = Assert.Throws<ConfigException>(() => AppSettings.From(new OrchestratorConfig(), null, httpOverride: "8080"));
        Assert.Contains("command line: '8080' is not ADDR:PORT", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingExplicitFile_SaysSo()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Load("/nonexistent/orchestrator.yaml"));
        Assert.Equal("/nonexistent/orchestrator.yaml: the configuration file does not exist", ex.Message);
    }

    [Fact]
    public void ResolveSecret_MissingVariable_ConfigErrorNamesKey()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.ResolveSecret("syslog.tls.pfx_password", "${env:ORCH_TEST_UNSET_VARIABLE}"));
        Assert.Equal("syslog.tls.pfx_password: environment variable 'ORCH_TEST_UNSET_VARIABLE' is not set", ex.Message);
    }

    [Fact]
    public void Parse_BadAlerting_EachErrorNamesItsKey()
    {
        const string yaml = """
            alerting:
              escalation:
                soc:
                  - target: oncall
                    after: 5m
                  - target: managers
                  - target: ""
                    after: soon
              reports:
                - { name: daily, report: weekly-gossip, cron: "every morning", time_zone: Mars/Olympus, to: [], period: forever }
            """;

        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "o.yaml"));

        Assert.Contains("alerting.escalation.soc[0].after: the first level pages at once", ex.Message, StringComparison.Ordinal);
        Assert.Contains("alerting.escalation.soc[1].after: say how long after level 0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("alerting.escalation.soc[2].target: name the pager target", ex.Message, StringComparison.Ordinal);
        Assert.Contains("alerting.escalation.soc[2].after: 'soon' is not a duration", ex.Message, StringComparison.Ordinal);
        Assert.Contains("alerting.reports[0].report: 'weekly-gossip' is not a report (known: incidents-summary, unknown-processes, pinpoint)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("alerting.reports[0].cron: 'every morning' is not a Quartz cron expression", ex.Message, StringComparison.Ordinal);
        Assert.Contains("alerting.reports[0].time_zone: 'Mars/Olympus' is not a time zone id", ex.Message, StringComparison.Ordinal);
        Assert.Contains("alerting.reports[0].to: give at least one address", ex.Message, StringComparison.Ordinal);
        Assert.Contains("alerting.reports[0].period: 'forever' is not a duration", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("alerting: { pagers: { pd: { kind: pagerduty, routing_key: plain-text-key } } }", "alerting.pagers.pd.routing_key: write it by reference")]
    [InlineData("alerting: { pagers: { pd: { kind: pagerdoody } } }", "alerting.pagers.pd.kind: 'pagerdoody' is not one of pagerduty, opsgenie, webhook, slack, teams")]
    [InlineData("alerting: { pagers: { chat: { kind: slack, url: not-a-url } } }", "alerting.pagers.chat.url: not an absolute http or https URL")]
    [InlineData("alerting: { escalation: { soc: [ { target: nobody } ] } }", "alerting.escalation.soc[0].target: no pager target 'nobody' under alerting.pagers")]
    [InlineData("alerting: { smtp: { host: mail, from: o@example.org, security: ssl } }", "alerting.smtp.security: 'ssl' is not starttls, tls or none")]
    [InlineData("alerting: { smtp: { host: mail, from: o@example.org, password: hunter2 } }", "alerting.smtp.password: write it by reference")]
    [InlineData("alerting: { reports: [ { name: daily, cron: '0 0 7 * * ?', to: [a@example.org] } ] }", "alerting.reports: reports are emailed; configure alerting.smtp")]
    [InlineData("alerting: { notify: { pagers: [ghost] } }", "alerting.notify.pagers: no pager target 'ghost'")]
    [InlineData("scripts: { allowed_dirs: [relative/dir] }", "scripts.allowed_dirs entry 'relative/dir' is not an absolute path")]
    public void BuildApp_BadAlertingWiring_RefusesToStartNamingTheKey(string yaml, string expected)
    {
        var data = Directory.CreateTempSubdirectory("orch-config-").FullName;
        try
        {
            var settings = AppSettings.From(ConfigLoader.Parse(yaml, "o.yaml"), data);

            var ex = Assert.Throws<ConfigException>(() => Orchestrator.Cli.ServeCommand.BuildApp(settings));

            Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("plain-text-key", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
