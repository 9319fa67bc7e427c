using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Parsing;

namespace Orchestrator.Listeners;

/// <summary>Receives syslog over plain TCP (RFC 6587: octet counting or LF-terminated lines, detected per connection).</summary>
public sealed class SyslogTcpListener : SyslogStreamListener
{
    public const string Name = "syslog-tcp";

    public SyslogTcpListener(
        SyslogTcpOptions options, IngestPipeline pipeline, ParserRegistry registry, IngestMetrics metrics, ILogger<SyslogTcpListener> logger, TimeProvider time)
        : base(Name, options, pipeline, registry, metrics, logger, time)
    {
    }

    protected override ValueTask<Stream> OpenStreamAsync(NetworkStream network, EndPoint? remote, CancellationToken cancellationToken) =>
        ValueTask.FromResult<Stream>(network);
}
