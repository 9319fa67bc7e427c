using Microsoft.Extensions.Logging;
using Orchestrator.Connectors.Email;
using Orchestrator.Connectors.Paging;
using Orchestrator.Core.Runs;

namespace Orchestrator.Alerting;

/// <summary>
/// Tells people through the configured channels: every notification is logged, emailed to
/// <c>alerting.notify.email</c>, and paged to <c>alerting.notify.pagers</c> from <c>page_at</c> up. A
/// <c>notify</c> step's <c>channels</c> narrows it to <c>email</c> and/or pager target names. A channel
/// that fails is logged and the others still go: a notification never fails a run.
/// </summary>
public sealed partial class ChannelNotifier(
    IReadOnlyList<string> emailTo,
    IReadOnlyDictionary<string, IPagerTarget> pagers,
    NotificationSeverity pageAt,
    IEmailSender email,
    LogNotifier log,
    ILogger<ChannelNotifier> logger) : INotifier
{
    public const string EmailChannel = "email";

    public async ValueTask NotifyAsync(Notification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        await log.NotifyAsync(notification, cancellationToken).ConfigureAwait(false);
        var wanted = notification.Channels;
        if (emailTo.Count > 0 && (wanted is null || wanted.Contains(EmailChannel)))
        {
            try
            {
                await email.SendAsync(new EmailMessage(emailTo, [], $"[{notification.Severity}] {notification.Title}", notification.Text) { RunId = notification.RunId }, cancellationToken).ConfigureAwait(false);
            }
            catch (EmailException ex)
            {
                LogChannelFailed(logger, ex, EmailChannel, notification.Title);
            }
        }

        foreach (var (name, target) in pagers)
        {
            if (wanted is null ? notification.Severity < pageAt : !wanted.Contains(name))
            {
                continue;
            }

            var page = new Page(PageAction.Trigger, notification.RunId ?? notification.Title, notification.Title, Severity(notification.Severity), notification.PlaybookId ?? "orchestrator",
                new Dictionary<string, object?> { ["text"] = notification.Text, ["run_id"] = notification.RunId, ["playbook_id"] = notification.PlaybookId });
            try
            {
                await target.SendAsync(page, cancellationToken).ConfigureAwait(false);
            }
            catch (PagingException ex)
            {
                LogChannelFailed(logger, ex, name, notification.Title);
            }
        }
    }

    private static string Severity(NotificationSeverity severity) => severity switch
    {
        NotificationSeverity.Critical => "critical",
        NotificationSeverity.Warning => "warning",
        _ => "info",
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Notification '{Title}' could not go through channel {Channel}")]
    private static partial void LogChannelFailed(ILogger logger, Exception exception, string channel, string title);
}

/// <summary>The email sender when no SMTP server is configured: every send fails, saying what to configure.</summary>
public sealed class UnconfiguredEmailSender : IEmailSender
{
    public ValueTask<string> SendAsync(EmailMessage message, CancellationToken cancellationToken) =>
        throw new EmailException("no SMTP server is configured: set alerting.smtp (host, port, from) in the configuration");
}
