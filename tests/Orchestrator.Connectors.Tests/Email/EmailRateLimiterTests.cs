using Microsoft.Extensions.Time.Testing;
using Orchestrator.Connectors.Email;

namespace Orchestrator.Connectors.Tests.Email;

public sealed class EmailRateLimiterTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly RecordingSender _sender = new();
    private readonly ListLogger<EmailRateLimiter> _log = new();

    [Fact]
    public async Task HoldBack_BurstOf10000_SendsTheLimitThenOneDigestCountingEveryHeldEmail()
    {
        await using var limiter = Limiter(max: 10);
        var admitted = 0;
        for (var i = 0; i < 10_000; i++)
        {
            if (limiter.HoldBack(Alert($"worm {i}")).Count == 0)
            {
                admitted++;
            }

            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Empty(_sender.Sent);
        _time.Advance(Hour);

        Assert.Equal(10, admitted);
        var digest = Assert.Single(_sender.Sent);
        Assert.Equal(["soc@example.org"], digest.To);
        Assert.Equal("Digest: 9990 email(s) held back by the rate limit", digest.Subject);
        Assert.StartsWith(
            "The rate limit (10 per 1h) held back 9990 email(s) to soc@example.org between 2026-03-01 12:00:00Z and 2026-03-01 12:00:09Z.\n\n- 2026-03-01 12:00:00Z  worm 10  (run run-1)\n",
            digest.TextBody,
            StringComparison.Ordinal);
        Assert.Equal(EmailRateLimiter.DigestListLimit, digest.TextBody.Split('\n').Count(l => l.Contains("  worm ", StringComparison.Ordinal)));
        Assert.EndsWith("- and 9940 more\n", digest.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HoldBack_AfterTheWindow_AdmitsAgain()
    {
        await using var limiter = Limiter(max: 2);
        var first = Enumerable.Range(0, 3).Select(i => limiter.HoldBack(Alert($"a{i}")).Count).ToList();
        _time.Advance(Hour);
        var second = Enumerable.Range(0, 3).Select(i => limiter.HoldBack(Alert($"b{i}")).Count).ToList();
        _time.Advance(Hour);

        Assert.Equal([0, 0, 1], first);
        Assert.Equal([0, 0, 1], second);
        Assert.Equal(["Digest: 1 email(s) held back by the rate limit", "Digest: 1 email(s) held back by the rate limit"], _sender.Sent.Select(m => m.Subject));
        Assert.Contains("  b2  ", _sender.Sent[1].TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HoldBack_EachRecipientHasItsOwnLimit()
    {
        await using var limiter = Limiter(max: 1);
        limiter.HoldBack(new EmailMessage(["soc@example.org"], [], "only soc", "text"));

        var held = limiter.HoldBack(new EmailMessage(["SOC <SOC@example.org>"], ["noc@example.org"], "both", "text"));
        _time.Advance(Hour);

        Assert.Equal(["SOC <SOC@example.org>"], held);
        var digest = Assert.Single(_sender.Sent);
        Assert.Equal(["soc@example.org"], digest.To);
        Assert.Contains("  both", digest.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DigestFailing_HeldEmailsGoOutWithTheNextDigest()
    {
        await using var limiter = Limiter(max: 1);
        limiter.HoldBack(Alert("sent"));
        limiter.HoldBack(Alert("held 1"));
        limiter.HoldBack(Alert("held 2"));
        _sender.FailNext = 1;
        _time.Advance(Hour);
        Assert.Empty(_sender.Sent);

        limiter.HoldBack(Alert("sent in the next window"));
        limiter.HoldBack(Alert("held 3"));
        _time.Advance(Hour);

        var digest = Assert.Single(_sender.Sent);
        Assert.Equal("Digest: 3 email(s) held back by the rate limit", digest.Subject);
        Assert.Contains("held 1", digest.TextBody, StringComparison.Ordinal);
        Assert.Contains("held 3", digest.TextBody, StringComparison.Ordinal);
        Assert.Contains(_log.Lines, l => l.Text.StartsWith("Digest of 2 held-back email(s) to soc@example.org failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FlushAsync_SendsPendingDigestsAtOnce()
    {
        await using var limiter = Limiter(max: 1);
        limiter.HoldBack(Alert("sent"));
        limiter.HoldBack(Alert("held"));

        await limiter.FlushAsync();
        _time.Advance(Hour);

        Assert.Equal("Digest: 1 email(s) held back by the rate limit", Assert.Single(_sender.Sent).Subject);
    }

    [Fact]
    public async Task HoldBack_DigestOff_HoldsWithoutDigest()
    {
        await using var limiter = Limiter(max: 1, digest: false);

        var held = limiter.HoldBack(Alert("sent")).Count + limiter.HoldBack(Alert("held")).Count;
        _time.Advance(Hour);

        Assert.Equal(1, held);
        Assert.Empty(_sender.Sent);
        Assert.Contains(_log.Lines, l => l.Text.StartsWith("Email rate limit of 1 reached for soc@example.org", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HoldBack_NoLimit_HoldsNothing()
    {
        await using var limiter = Limiter(max: 0);

        var held = Enumerable.Range(0, 100).Sum(i => limiter.HoldBack(Alert("x")).Count);

        Assert.False(limiter.Enabled);
        Assert.Equal(0, held);
    }

    private EmailRateLimiter Limiter(int max, bool digest = true) =>
        new(new SmtpOptions { MaxPerRecipient = max, Per = Hour, Digest = digest }, _sender, _time, _log);

    private static EmailMessage Alert(string subject) => new(["soc@example.org"], [], subject, "text") { RunId = "run-1" };
}
