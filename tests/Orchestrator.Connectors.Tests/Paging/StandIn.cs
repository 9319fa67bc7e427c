using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Connectors.Tests.Paging;

/// <summary>One request as the stand-in received it; <see cref="Number"/> counts from 1 in arrival order.</summary>
public sealed record Recorded(int Number, string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>What the stand-in answers; <see cref="Hang"/> never answers.</summary>
public sealed record Reply(int Status, string Body = "", string ContentType = "application/json", IReadOnlyDictionary<string, string>? Headers = null)
{
    public static Reply Hang { get; } = new(0);

    public static Reply Text(int status, string body) => new(status, body, "text/plain; charset=utf-8");
}

/// <summary>
/// A loopback HTTP server on an ephemeral port standing in for a service that cannot be reached from
/// here. Each request goes to the vendor's checker, unless a scripted reply is queued for it first.
/// </summary>
public sealed class StandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Func<Recorded, Reply> _vendor;
    private readonly Queue<Reply> _scripted = new();
    private readonly List<Recorded> _requests = [];
    private readonly Lock _lock = new();

    private StandIn(WebApplication app, Func<Recorded, Reply> vendor)
    {
        _app = app;
        _vendor = vendor;
    }

    public Uri Url { get; private set; } = null!;

    public IReadOnlyList<Recorded> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    /// <param name="vendor">Checks each request and answers it.</param>
    /// <param name="certificate">Serves HTTPS with this certificate (a self-signed firewall's); plain HTTP when null.</param>
    public static async Task<StandIn> StartAsync(Func<Recorded, Reply> vendor, X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
        var app = builder.Build();
        var standIn = new StandIn(app, vendor);
        app.Run(standIn.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        standIn.Url = new Uri(address);
        return standIn;
    }

    /// <summary>The next requests get these replies, in order, before the vendor's checker answers again.</summary>
    public StandIn Then(params Reply[] replies)
    {
        lock (_lock)
        {
            foreach (var reply in replies)
            {
                _scripted.Enqueue(reply);
            }
        }

        return this;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        Recorded recorded;
        Reply? scripted;
        lock (_lock)
        {
            recorded = new Recorded(_requests.Count + 1, context.Request.Method, context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "", headers, body);
            _requests.Add(recorded);
            _scripted.TryDequeue(out scripted);
        }

        var reply = scripted ?? _vendor(recorded);
        if (reply == Reply.Hang)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The client gave up: what the test waits for.
            }

            return;
        }

        context.Response.StatusCode = reply.Status;
        context.Response.ContentType = reply.ContentType;
        foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        await context.Response.WriteAsync(reply.Body, context.RequestAborted);
    }
}

/// <summary>
/// A clock whose timers fire at once, recording each wait asked for; the time moves on by each wait.
/// Retry tests check which waits were asked for (Retry-After honoured) without sleeping.
/// </summary>
public sealed class InstantTimeProvider : TimeProvider
{
    private readonly List<TimeSpan> _waits = [];
    private readonly Lock _lock = new();
    private DateTimeOffset _now = new(2026, 3, 14, 9, 26, 53, TimeSpan.Zero);

    public IReadOnlyList<TimeSpan> Waits
    {
        get
        {
            lock (_lock)
            {
                return [.. _waits];
            }
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            lock (_lock)
            {
                _waits.Add(dueTime);
                _now += dueTime;
            }

            ThreadPool.QueueUserWorkItem(_ => callback(state));
        }

        return new NoTimer();
    }

    private sealed class NoTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
