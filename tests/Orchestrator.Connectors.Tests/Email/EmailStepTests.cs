using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Orchestrator.Connectors.Email;
using Orchestrator.Core.Events;
using Orchestrator.Core.Runs;

namespace Orchestrator.Connectors.Tests.Email;

public sealed class EmailStepTests
{
    private static readonly SecurityEvent Worm = new()
    {
        Id = 7,
        Kind = EventKinds.InfectionDetected,
        Timestamp = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero),
        SourceIp = IPAddress.Parse("10.0.0.7"),
        HostName = "pc-7",
    };

    private readonly RecordingSender _recording = new();

    [Fact]
    public async Task ExecuteAsync_RealServer_SendsWithTheEventAttachedAndReturnsTheMessageId()
    {
        await using var server = await SmtpTestServer.StartAsync();
        await using var sender = new SmtpEmailSender(
            new SmtpOptions { Host = "127.0.0.1", Port = server.Port, Security = SmtpSecurity.None, From = "orchestrator@example.org" },
            new ListLogger<SmtpEmailSender>(),
            TimeProvider.System);
        var step = new EmailStep(sender);

        var result = await step.ExecuteAsync(Context(new()
        {
            ["to"] = new List<object?> { "soc@example.org" },
            ["cc"] = "noc@example.org",
            ["subject"] = "pc-7 infected",
            ["body"] = "pc-7 (10.0.0.7) is infected",
            ["html"] = "<p>pc-7 is infected</p>",
        }), CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(true, result.Outputs["sent"]);
        Assert.Equal(false, result.Outputs["held"]);
        Assert.Equal(new List<string> { "soc@example.org" }, result.Outputs["to"]);
        var received = Assert.Single(server.Received());
        Assert.Equal(["soc@example.org", "noc@example.org"], received.RcptTos);
        var mime = received.Parse();
        Assert.Equal(result.Outputs["message_id"], mime.MessageId);
        Assert.Equal(EmailStep.MessageIdFor("run-1/notify/1"), mime.MessageId);
        Assert.Equal("run-1", mime.Headers[SmtpEmailSender.RunHeader]);
        Assert.Equal("<p>pc-7 is infected</p>", mime.HtmlBody?.TrimEnd());
        var attachment = Assert.IsType<MimePart>(Assert.Single(mime.Attachments));
        Assert.Equal(EmailStep.EventFileName, attachment.FileName);
        using var content = new MemoryStream();
        await attachment.Content!.DecodeToAsync(content);
        Assert.True(SecurityEventJson.TryRead(Encoding.UTF8.GetString(content.ToArray()), out var attached, out var error), error);
        Assert.Equal(Worm.SourceIp, attached.SourceIp);
        Assert.Equal("pc-7", attached.HostName);
    }

    [Fact]
    public async Task ExecuteAsync_RecipientRefused_FailsWithTheServersReason()
    {
        await using var server = await SmtpTestServer.StartAsync();
        await using var sender = new SmtpEmailSender(
            new SmtpOptions { Host = "127.0.0.1", Port = server.Port, Security = SmtpSecurity.None, From = "orchestrator@example.org" },
            new ListLogger<SmtpEmailSender>(),
            TimeProvider.System);

        var result = await new EmailStep(sender).ExecuteAsync(Context(new() { ["to"] = "refuse@example.org", ["subject"] = "s", ["body"] = "b" }), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("refused the message with 550 for <refuse@example.org>", result.Error, StringComparison.Ordinal);
        Assert.Empty(server.Received());
    }

    [Fact]
    public async Task ExecuteAsync_DryRun_SendsNothingAndSaysWhatItWouldSend()
    {
        var result = await new EmailStep(_recording).ExecuteAsync(
            Context(new() { ["to"] = "soc@example.org, noc@example.org", ["subject"] = "s", ["body"] = "b" }) with { DryRun = true },
            CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Empty(_recording.Sent);
        Assert.Equal(false, result.Outputs["sent"]);
        Assert.Equal("s", result.Outputs["subject"]);
        Assert.Equal(new List<string> { "soc@example.org", "noc@example.org" }, result.Outputs["to"]);
    }

    [Theory]
    [InlineData("to", "soc at example.org", "to: 'soc at example.org' is not an email address")]
    [InlineData("to", "root", "to: 'root' is not an email address")]
    [InlineData("cc", "noc@", "cc: 'noc@' is not an email address")]
    public async Task ExecuteAsync_BadAddress_FailsNamingIt(string key, string address, string expected)
    {
        var parameters = new Dictionary<string, object?> { ["to"] = "soc@example.org", ["subject"] = "s", ["body"] = "b" };
        parameters[key] = new List<object?> { "ok@example.org", address };

        var result = await new EmailStep(_recording).ExecuteAsync(Context(parameters), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal(expected, result.Error);
        Assert.Empty(_recording.Sent);
    }

    [Theory]
    [InlineData("subject", "subject: required")]
    [InlineData("body", "body: required")]
    [InlineData("to", "to: at least one recipient is required")]
    public async Task ExecuteAsync_MissingParameter_Fails(string missing, string expected)
    {
        var parameters = new Dictionary<string, object?> { ["to"] = "soc@example.org", ["subject"] = "s", ["body"] = "b" };
        parameters.Remove(missing);

        var result = await new EmailStep(_recording).ExecuteAsync(Context(parameters), CancellationToken.None);

        Assert.Equal(expected, result.Error);
    }

    [Fact]
    public async Task ExecuteAsync_AttachEventFalse_SendsWithoutAttachment()
    {
        var result = await new EmailStep(_recording).ExecuteAsync(
            Context(new() { ["to"] = "soc@example.org", ["subject"] = "s", ["body"] = "b", ["attach_event"] = "false" }),
            CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Null(Assert.Single(_recording.Sent).Attachments);
    }

    [Fact]
    public async Task ExecuteAsync_OverTheRateLimit_HeldForTheDigest()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var limiter = new EmailRateLimiter(new SmtpOptions { MaxPerRecipient = 1, Per = TimeSpan.FromMinutes(10) }, _recording, time, new ListLogger<EmailRateLimiter>());
        var step = new EmailStep(_recording, limiter);
        var parameters = new Dictionary<string, object?> { ["to"] = "soc@example.org", ["cc"] = "noc@example.org", ["subject"] = "s", ["body"] = "b" };
        await step.ExecuteAsync(Context(new() { ["to"] = "noc@example.org", ["subject"] = "first", ["body"] = "b" }), CancellationToken.None);

        var partly = await step.ExecuteAsync(Context(parameters), CancellationToken.None);
        var fully = await step.ExecuteAsync(Context(parameters), CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal((true, true), ((bool)partly.Outputs["sent"]!, (bool)partly.Outputs["held"]!));
        Assert.Equal((false, true), ((bool)fully.Outputs["sent"]!, (bool)fully.Outputs["held"]!));
        Assert.Equal(
            ["Digest: 1 email(s) held back by the rate limit -> soc@example.org", "Digest: 2 email(s) held back by the rate limit -> noc@example.org", "first -> noc@example.org", "s -> soc@example.org"],
            _recording.Sent.Select(m => $"{m.Subject} -> {string.Join(",", m.To.Concat(m.Cc))}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Definition_DeclaresTheParameters()
    {
        Assert.Equal("email", EmailStep.Definition.Name);
        Assert.Equal(["to", "subject", "body"], EmailStep.Definition.Parameters.Where(p => p.Required).Select(p => p.Name));
        Assert.Equal(["to", "cc", "subject", "body", "html", "attach_event"], EmailStep.Definition.Parameters.Select(p => p.Name));
    }

    private static StepContext Context(Dictionary<string, object?> parameters) =>
        new("run-1", "worm", "notify", EmailStep.Name, parameters, "run-1/notify/1", 1, false, Worm);
}
