using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

// End-to-end load generator: sends events to a running `orchestrator serve` and measures the
// time until the server's /metrics show every one of them committed (stored or dead-lettered).
// Usage:
//   loadgen tcp  --target 127.0.0.1:5514 --file LINES [--repeat R] [--framing lf|octet] --metrics http://127.0.0.1:8080/metrics [--warmup N] [--rate LINES_PER_S] [--pid PID]
//   loadgen http --url http://127.0.0.1:8080 --key KEY --events N [--batch 1000] [--parallel 4] [--pid PID]
// It only ever connects to the addresses it is given; use loopback.
var options = ParseArgs(args);
var mode = args.Length > 0 ? args[0] : "";
return mode switch
{
    "tcp" => await RunTcp(options),
    "http" => await RunHttp(options),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: loadgen tcp --target ADDR:PORT --file F [--repeat R] [--framing lf|octet] --metrics URL [--warmup N] [--rate LINES_PER_S] [--pid PID]");
    Console.Error.WriteLine("       loadgen http --url URL --key KEY --events N [--batch B] [--parallel P] [--pid PID]");
    return 2;
}

static async Task<int> RunTcp(Dictionary<string, string> o)
{
    var target = IPEndPoint.Parse(o["target"]);
    var repeat = int.Parse(o.GetValueOrDefault("repeat", "1"), CultureInfo.InvariantCulture);
    var octet = o.GetValueOrDefault("framing", "lf") == "octet";
    var lines = File.ReadAllLines(o["file"]);
    var payload = BuildPayload(lines, octet);
    long total = (long)lines.Length * repeat;
    using var http = new HttpClient();
    var metricsUrl = o["metrics"];
    var warmup = int.Parse(o.GetValueOrDefault("warmup", "0"), CultureInfo.InvariantCulture);
    if (warmup > 0)
    {
        await WarmUp(target, BuildPayload(lines[..Math.Min(warmup, lines.Length)], octet), Math.Min(warmup, lines.Length), http, metricsUrl);
    }

    var before = await StoredTotal(http, metricsUrl);

    var self = Process.GetCurrentProcess();
    var (userBefore, systemBefore) = (self.UserProcessorTime, self.PrivilegedProcessorTime);
    var watch = Stopwatch.StartNew();
    using (var client = new TcpClient())
    {
        client.SendBufferSize = 4 << 20;
        await client.ConnectAsync(target);
        var stream = client.GetStream();
        var rate = int.Parse(o.GetValueOrDefault("rate", "0"), CultureInfo.InvariantCulture);
        if (rate > 0 && octet)
        {
            Console.Error.WriteLine("--rate paces LF-framed lines; use it without --framing octet");
            return 2;
        }

        for (var r = 0; r < repeat; r++)
        {
            if (rate > 0)
            {
                await SendPacedAsync(stream, payload, rate);
                continue;
            }

            for (var offset = 0; offset < payload.Length; offset += 1 << 20)
            {
                await stream.WriteAsync(payload.AsMemory(offset, Math.Min(1 << 20, payload.Length - offset)));
            }
        }
    }

    var sent = watch.Elapsed;
    self.Refresh();
    Console.WriteLine($"load generator CPU while sending: user {(self.UserProcessorTime - userBefore).TotalSeconds:F2} s, system {(self.PrivilegedProcessorTime - systemBefore).TotalSeconds:F2} s");
    long committed;
    long lastPrinted = 0;
    while ((committed = await StoredTotal(http, metricsUrl) - before) < total)
    {
        if (watch.Elapsed - sent > TimeSpan.FromMinutes(10))
        {
            Console.Error.WriteLine($"timed out: {committed} of {total} committed");
            return 1;
        }

        if (committed - lastPrinted >= 1_000_000)
        {
            Console.Error.WriteLine($"  {committed:N0} committed at {watch.Elapsed.TotalSeconds:F1} s");
            lastPrinted = committed;
        }

        await Task.Delay(20);
    }

    var elapsed = watch.Elapsed;
    Report("syslog-tcp " + (octet ? "octet-counted" : "LF"), total, elapsed, sent, o);
    return 0;
}

// Sends whole lines at about `rate` lines per second, in slices every 10 ms.
static async Task SendPacedAsync(Stream stream, byte[] payload, int rate)
{
    var ends = new List<int>();
    for (var i = 0; i < payload.Length; i++)
    {
        if (payload[i] == (byte)'\n')
        {
            ends.Add(i + 1);
        }
    }

    var watch = Stopwatch.StartNew();
    var sentLines = 0;
    var sentBytes = 0;
    while (sentLines < ends.Count)
    {
        var due = (int)Math.Min(ends.Count, (long)(watch.Elapsed.TotalSeconds * rate) + 1);
        if (due > sentLines)
        {
            var end = ends[due - 1];
            await stream.WriteAsync(payload.AsMemory(sentBytes, end - sentBytes));
            sentBytes = end;
            sentLines = due;
        }

        await Task.Delay(10);
    }
}

// Sends the first lines once and waits until they are committed, so the measured run sees a
// server whose code is compiled and whose database exists: the steady state, not start-up.
static async Task WarmUp(IPEndPoint target, byte[] payload, int count, HttpClient http, string metricsUrl)
{
    var before = await StoredTotal(http, metricsUrl);
    using (var client = new TcpClient())
    {
        await client.ConnectAsync(target);
        await client.GetStream().WriteAsync(payload);
    }

    var watch = Stopwatch.StartNew();
    while (await StoredTotal(http, metricsUrl) - before < count)
    {
        if (watch.Elapsed > TimeSpan.FromMinutes(2))
        {
            throw new TimeoutException("warm-up events were not committed within 2 minutes");
        }

        await Task.Delay(20);
    }

    Console.WriteLine($"warm-up: {count:N0} events committed first (not measured)");
}

static async Task<int> RunHttp(Dictionary<string, string> o)
{
    var url = o["url"].TrimEnd('/') + "/api/v1/events";
    var events = int.Parse(o["events"], CultureInfo.InvariantCulture);
    var batch = int.Parse(o.GetValueOrDefault("batch", "1000"), CultureInfo.InvariantCulture);
    var parallel = int.Parse(o.GetValueOrDefault("parallel", "4"), CultureInfo.InvariantCulture);
    var bodies = new List<byte[]>();
    for (var start = 0; start < events; start += batch)
    {
        var text = new StringBuilder();
        for (var i = start; i < Math.Min(events, start + batch); i++)
        {
            text.Append(EcsEvent(i)).Append('\n');
        }

        bodies.Add(Encoding.UTF8.GetBytes(text.ToString()));
    }

    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = parallel });
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", o["key"]);
    var next = -1;
    var stored = 0L;
    var watch = Stopwatch.StartNew();
    var workers = Enumerable.Range(0, parallel).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < bodies.Count)
        {
            using var content = new ByteArrayContent(bodies[i]);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
            using var response = await http.PostAsync(url, content);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }

            Interlocked.Add(ref stored, CountLines(bodies[i]));
        }
    });
    await Task.WhenAll(workers);
    Report($"http NDJSON batches of {batch}, {parallel} in flight", stored, watch.Elapsed, watch.Elapsed, o);
    return 0;
}

// A made-up ECS-shaped detection: every 10th has a traced source.
static string EcsEvent(int i)
{
    var time = new DateTime(2026, 11, 23, 10, 0, 0, DateTimeKind.Utc).AddMilliseconds(i);
    var source = i % 10 == 0 ? $",\"source\":{{\"ip\":\"10.{128 + (i % 100)}.{(i >> 8) & 255}.{i & 255}\",\"name\":\"WS-{i % 5000}\"}}" : "";
    return $"{{\"@timestamp\":\"{time:yyyy-MM-ddTHH:mm:ss.fffZ}\",\"event\":{{\"kind\":\"alert\",\"category\":\"malware\",\"type\":\"info\",\"action\":\"quarantined\",\"provider\":\"edr\"}},\"host\":{{\"name\":\"HOST-{i % 5000:D4}\",\"ip\":\"10.1.{(i >> 8) & 255}.{i & 255}\"}}{source},\"rule\":{{\"name\":\"W32.Worm\"}},\"file\":{{\"path\":\"C:\\\\Users\\\\u{i % 16}\\\\Downloads\\\\x{i}.exe\"}}}}";
}

static byte[] BuildPayload(string[] lines, bool octet)
{
    var output = new MemoryStream();
    foreach (var line in lines)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        if (octet)
        {
            output.Write(Encoding.ASCII.GetBytes(bytes.Length.ToString(CultureInfo.InvariantCulture) + " "));
            output.Write(bytes);
        }
        else
        {
            output.Write(bytes);
            output.WriteByte((byte)'\n');
        }
    }

    return output.ToArray();
}

static async Task<long> StoredTotal(HttpClient http, string url)
{
    var text = await http.GetStringAsync(url);
    long total = 0;
    foreach (var line in text.Split('\n'))
    {
        if (line.StartsWith("orchestrator_events_stored_total{", StringComparison.Ordinal) || line.StartsWith("orchestrator_events_rejected_total{", StringComparison.Ordinal))
        {
            total += long.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }
    }

    return total;
}

static long CountLines(byte[] body) => body.Count(b => b == (byte)'\n');

static void Report(string what, long events, TimeSpan elapsed, TimeSpan sent, Dictionary<string, string> o)
{
    Console.WriteLine($"{what}: {events:N0} events committed in {elapsed.TotalSeconds:F2} s = {events / elapsed.TotalSeconds:N0} events/s (sending took {sent.TotalSeconds:F2} s)");
    if (o.TryGetValue("pid", out var pid))
    {
        foreach (var line in File.ReadAllLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmHWM", StringComparison.Ordinal) || line.StartsWith("VmRSS", StringComparison.Ordinal))
            {
                Console.WriteLine($"server {line.Replace('\t', ' ')}");
            }
        }
    }
}

static Dictionary<string, string> ParseArgs(string[] args)
{
    var result = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 1; i + 1 < args.Length; i += 2)
    {
        result[args[i].TrimStart('-')] = args[i + 1];
    }

    return result;
}
