using System.Net;
using System.Text.Json;
using Orchestrator.Cli;

namespace Orchestrator.Tests.Api;

/// <summary>
/// The containment API and CLI against the real service without devices: every bad request names its field;
/// a containment by hand is a run of playbook <c>by-hand</c> that passes the protected-assets check and says
/// why it failed; the ledger lists, shows and releases only what exists. (The lab tests contain for real.)
/// </summary>
public sealed class ContainmentEndpointsTests(ResponseServer server) : IClassFixture<ResponseServer>
{
    [Theory]
    [InlineData("""{"action": "quarantine"}""", "target: required")]
    [InlineData("""{"target": "10.1.2.3"}""", "action: required (quarantine, shutdown or block)")]
    [InlineData("""{"target": "10.1.2.3", "action": "isolate"}""", "action: 'isolate' is not quarantine, shutdown or block")]
    [InlineData("""{"target": "PC-1", "action": "block"}""", "target: 'PC-1' is not an IP address")]
    [InlineData("""{"target": "10.1.2.3", "action": "quarantine", "for": "2 hours"}""", "for: a positive duration (e.g. 2h)")]
    [InlineData("""{"target": "10.1.2.3", "action": "block", "for": "-1h"}""", "for: a positive duration")]
    [InlineData("""{"target": "10.1.2.3", "action": "shutdown", "vlan": 99}""", "vlan: a VLAN id 1-4094, for action quarantine only")]
    [InlineData("""{"target": "10.1.2.3", "action": "quarantine", "vlan": 5000}""", "vlan: a VLAN id 1-4094")]
    [InlineData("""{"target": "10.1.2.3", "action": "quarantine", "fallback": "reboot"}""", "fallback: shutdown or none")]
    [InlineData("""{"target": "10.1.2.3", "action": "quarantine", "vlan": "99"}""", "vlan: must be a number")]
    [InlineData("""{"target": "10.1.2.3", "action": "quarantine", "until": "2h"}""", "until: unknown field")]
    [InlineData("""{"target": "10.1.2.3", "action": "quarantine", "dry_run": "yes"}""", "dry_run: must be true or false")]
    [InlineData("""["10.1.2.3"]""", "the body must be a JSON object")]
    [InlineData("""{"target": """, "invalid JSON at line 1")]
    public async Task Contain_BadRequest_Is400NamingTheField(string body, string error)
    {
        var (status, answer) = await server.SendAsync(HttpMethod.Post, "/api/v1/containments", body: body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith(error, answer.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Contain_AProtectedAddress_IsRefusedByTheRunner_AuditedAsByHand()
    {
        var (status, answer) = await server.SendAsync(HttpMethod.Post, "/api/v1/containments", body: $$"""{"target": "{{ResponseServer.ProtectedIp}}", "action": "shutdown", "reason": "test"}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains("protected", answer.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
        var run = answer.GetProperty("run");
        Assert.Equal(("by-hand", "failed"), (run.GetProperty("playbook_id").GetString(), run.GetProperty("status").GetString()));
        Assert.Contains(run.GetProperty("audit").EnumerateArray(), a => a.GetProperty("text").GetString()!.StartsWith(
            $"containment by hand by test-admin: switch.shutdown_port target={ResponseServer.ProtectedIp}, reason=test", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Contain_WithNoSwitchInTheInventory_FailsSayingSo_AndRecordsNothing()
    {
        var (status, answer) = await server.SendAsync(HttpMethod.Post, "/api/v1/containments", body: """{"target": "02:00:00:00:00:01", "action": "quarantine"}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains("no switch in the inventory has a driver this build speaks", answer.GetProperty("error").GetString(), StringComparison.Ordinal);
        var (_, list) = await server.SendAsync(HttpMethod.Get, "/api/v1/containments?active=true");
        Assert.Equal(0, list.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task ShowAndRelease_UnknownContainment_Are404_AndBadFiltersAre400()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await server.SendAsync(HttpMethod.Get, "/api/v1/containments/nope")).Status);
        var (released, answer) = await server.SendAsync(HttpMethod.Post, "/api/v1/containments/nope/release");
        Assert.Equal(HttpStatusCode.NotFound, released);
        Assert.Equal("no containment with id nope", answer.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await server.SendAsync(HttpMethod.Get, "/api/v1/containments?active=maybe")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.SendAsync(HttpMethod.Get, "/api/v1/containments", key: "wrong-key")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.SendAsync(HttpMethod.Get, "/api/v1/containments", key: ResponseServer.IngestKey)).Status);
    }

    [Fact]
    public async Task Cli_Contain_NeedsExactlyOneTarget_AndReportsTheServicesRefusal()
    {
        var none = await CliAsync("contain", "--switch-action", "shutdown");
        var two = await CliAsync("contain", "--ip", "10.1.2.3", "--host", "pc1", "--switch-action", "shutdown");
        var refused = await CliAsync("contain", "--ip", ResponseServer.ProtectedIp, "--switch-action", "quarantine", "--url", server.Url, "--key-file", server.AdminKeyFile);
        var badAction = await CliAsync("contain", "--ip", "10.1.2.3", "--switch-action", "isolate");

        Assert.Equal((2, "give exactly one of --host, --ip or --mac"), (none.ExitCode, none.StdErr.Trim()));
        Assert.Equal(2, two.ExitCode);
        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith("failed: ", refused.StdErr, StringComparison.Ordinal);
        Assert.Contains("protected", refused.StdErr, StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(0, badAction.ExitCode);
    }

    [Fact]
    public async Task Cli_Containments_ListsFromTheDataDirectory_AndShowSaysWhenUnknown()
    {
        var list = await CliAsync("containments", "--active");
        var json = await CliAsync("containments", "--output", "json");
        var show = await CliAsync("containments", "show", "nope");

        Assert.Equal(0, list.ExitCode);
        Assert.StartsWith("ID", list.StdOut, StringComparison.Ordinal);
        Assert.Equal((0, ""), (json.ExitCode, json.StdOut));
        Assert.Equal(1, show.ExitCode);
        Assert.Contains("no containment with id nope", show.StdErr, StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, string StdOut, string StdErr)> CliAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CliApp.Build().Parse([.. args, "--config", server.ConfigFile, "--data", server.DataDirectory])
            .InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
