// SNMP load: GETs per second against an agent with N requests in flight on one client, and BER encode/decode cost.
//   SnmpLoad gets HOST PORT COMMUNITY [COUNT] [CONCURRENCY...]
//   SnmpLoad ber [ITERATIONS]
//   SnmpLoad locate HOST PORT COMMUNITY [ROUNDS]   read a switch's tables cold, then time cached lookups
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Orchestrator.Snmp;
using Orchestrator.Snmp.Messages;

return args.FirstOrDefault() switch
{
    "gets" when args.Length >= 4 => await GetsAsync(args),
    "ber" => Ber(args),
    "locate" when args.Length >= 4 => await LocateAsync(args),
    _ => Usage(),
};

static async Task<int> LocateAsync(string[] args)
{
    IPEndPoint endpoint = new(IPAddress.Parse(args[1]), int.Parse(args[2], CultureInfo.InvariantCulture));
    int rounds = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 3;
    Orchestrator.Core.Playbooks.DeviceDefinition device = new()
    {
        Name = "access-sw-48",
        Driver = "snmp",
        Kind = Orchestrator.Core.Network.DeviceKind.Switch,
        Address = Orchestrator.Core.Network.DeviceAddress.TryParse(args[1], out var address) ? address! : throw new ArgumentException(args[1]),
        Location = new Orchestrator.Core.Playbooks.SourceLocation("bench", 1, 1),
    };
    Orchestrator.Core.Events.MacAddress pc5 = Orchestrator.Core.Events.MacAddress.FromValue(0x021a_2b00_0005UL);
    for (int round = 1; round <= rounds; round++)
    {
        await using SnmpClient client = new(new SnmpClientOptions { Endpoint = endpoint, Community = args[3], Timeout = TimeSpan.FromSeconds(3), Retries = 2 });
        Stopwatch cold = Stopwatch.StartNew();
        var tables = await Orchestrator.Connectors.Switches.SnmpSwitchTables.ReadAsync(client, device, TimeProvider.System, CancellationToken.None);
        var located = Orchestrator.Core.Network.HostLocator.Locate(pc5, [tables]);
        cold.Stop();

        const int lookups = 10_000;
        Stopwatch cached = Stopwatch.StartNew();
        for (int i = 0; i < lookups; i++)
        {
            Orchestrator.Core.Network.HostLocator.Locate(Orchestrator.Core.Events.MacAddress.FromValue(0x021a_2b00_0000UL + (ulong)(i % 2000) + 1), [tables]);
        }

        cached.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"locate round {round}: {tables.Ports.Count} ports, {tables.Fdb.Count} FDB entries; cold (all tables over SNMP + locate) {cold.Elapsed.TotalMilliseconds:F0} ms -> {located.Edge?.Device} {located.Edge?.Port} ({located.Confidence}); cached {cached.Elapsed.TotalMilliseconds * 1000 / lookups:F1} µs per lookup"));
    }

    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: SnmpLoad gets HOST PORT COMMUNITY [COUNT] [CONCURRENCY...] | SnmpLoad ber [ITERATIONS] | SnmpLoad locate HOST PORT COMMUNITY [ROUNDS]");
    return 2;
}

static async Task<int> GetsAsync(string[] args)
{
    IPEndPoint endpoint = new(IPAddress.Parse(args[1]), int.Parse(args[2], CultureInfo.InvariantCulture));
    int count = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 50_000;
    int[] concurrencies = args.Length > 5 ? args[5..].Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [1, 8, 32, 128];
    Oid sysDescr = Oid.Parse("1.3.6.1.2.1.1.1.0");
    await using SnmpClient client = new(new SnmpClientOptions { Endpoint = endpoint, Community = args[3], Timeout = TimeSpan.FromSeconds(2), Retries = 2 });

    // The agent may still be starting.
    for (int attempt = 1; ; attempt++)
    {
        try
        {
            await client.GetAsync(sysDescr);
            break;
        }
        catch (SnmpTimeoutException) when (attempt < 5)
        {
        }
    }

    // Warm-up: JIT and the agent's caches.
    for (int i = 0; i < 2000; i++)
    {
        await client.GetAsync(sysDescr);
    }

    foreach (int concurrency in concurrencies)
    {
        int next = 0;
        int failures = 0;
        Stopwatch watch = Stopwatch.StartNew();
        Task[] workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                try
                {
                    await client.GetAsync(sysDescr);
                }
                catch (SnmpException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }).ToArray();
        await Task.WhenAll(workers);
        watch.Stop();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"GET sysDescr.0: {count} requests, {concurrency,3} in flight: {count / watch.Elapsed.TotalSeconds,8:0} GETs/s, {watch.Elapsed.TotalMicroseconds * concurrency / count,7:0.0} us/GET latency, {failures} failed"));
    }

    return 0;
}

static int Ber(string[] args)
{
    int iterations = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
    byte[] community = Encoding.ASCII.GetBytes("public");
    SnmpPdu get = new(SnmpPduType.GetRequest, 123456789, 0, 0, [VarBind.ForRead(Oid.Parse("1.3.6.1.2.1.1.1.0"))]);
    CommunityMessage request = new(SnmpVersion.V2c, community, get);
    byte[] response = new CommunityMessage(SnmpVersion.V2c, community, new SnmpPdu(SnmpPduType.Response, 123456789, 0, 0,
    [
        new VarBind(Oid.Parse("1.3.6.1.2.1.1.1.0"), SnmpValue.FromText("Linux switch 6.1.0 #1 SMP x86_64")),
        new VarBind(Oid.Parse("1.3.6.1.2.1.1.3.0"), SnmpValue.FromTimeTicks(123456)),
        new VarBind(Oid.Parse("1.3.6.1.2.1.2.2.1.10.1"), SnmpValue.FromCounter32(4_000_000_000)),
        new VarBind(Oid.Parse("1.3.6.1.2.1.31.1.1.1.6.1"), SnmpValue.FromCounter64(ulong.MaxValue)),
        new VarBind(Oid.Parse("1.3.6.1.2.1.2.2.1.8.1"), SnmpValue.FromInt32(1)),
    ])).Encode();

    Measure("encode GET request (1 binding)", iterations, () => request.Encode().Length);
    Measure($"decode response ({response.Length} bytes, 5 bindings)", iterations, () => CommunityMessage.Decode(response).Pdu.VarBinds.Count);
    return 0;
}

static void Measure(string name, int iterations, Func<int> operation)
{
    int sink = 0;
    for (int i = 0; i < iterations / 10; i++)
    {
        sink += operation();
    }

    long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
    Stopwatch watch = Stopwatch.StartNew();
    for (int i = 0; i < iterations; i++)
    {
        sink += operation();
    }

    watch.Stop();
    long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"{name}: {watch.Elapsed.TotalNanoseconds / iterations:0} ns/op, {allocated / iterations} B/op (checksum {sink})"));
}
