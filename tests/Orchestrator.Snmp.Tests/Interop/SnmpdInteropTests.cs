using System.Security.Cryptography;

namespace Orchestrator.Snmp.Tests.Interop;

[Collection(SnmpdTests.Name)]
public class SnmpdInteropTests(SnmpdFixture agent)
{
    private static readonly Oid SysDescr = Oid.Parse("1.3.6.1.2.1.1.1.0");
    private static readonly Oid SysUpTime = Oid.Parse("1.3.6.1.2.1.1.3.0");
    private static readonly Oid SysLocation = Oid.Parse("1.3.6.1.2.1.1.6.0");
    private static readonly Oid System = Oid.Parse("1.3.6.1.2.1.1");
    private static readonly Oid IfTable = Oid.Parse("1.3.6.1.2.1.2.2");
    private static readonly Oid IfDescr = Oid.Parse("1.3.6.1.2.1.2.2.1.2");

    [Fact]
    public async Task GetAsync_SysDescr_ReturnsTheAgentsLinuxDescription()
    {
        await using SnmpClient client = agent.CreateClient();
        VarBind result = await client.GetAsync(SysDescr);
        Assert.Equal(SysDescr, result.Oid);
        Assert.StartsWith("Linux ", result.Value.AsText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_SeveralOids_ReturnsThemInOrderWithTheirTypes()
    {
        await using SnmpClient client = agent.CreateClient();
        IReadOnlyList<VarBind> result = await client.GetAsync([SysUpTime, SysDescr, Oid.Parse("1.3.6.1.2.1.1.2.0")]);
        Assert.Equal(SnmpValueKind.TimeTicks, result[0].Value.Kind);
        Assert.Equal(SnmpValueKind.OctetString, result[1].Value.Kind);
        Assert.Equal(SnmpValueKind.ObjectIdentifier, result[2].Value.Kind);
        Assert.StartsWith("1.3.6.1.4.1.8072.3.2.", result[2].Value.AsOid().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetNextAsync_SystemGroup_ReturnsSysDescrInstance()
    {
        await using SnmpClient client = agent.CreateClient();
        VarBind next = await client.GetNextAsync(System);
        Assert.Equal(SysDescr, next.Oid);
        Assert.StartsWith("Linux ", next.Value.AsText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetBulkAsync_OneNonRepeaterAndIfDescr_ReturnsUpTimeThenInterfaceRows()
    {
        await using SnmpClient client = agent.CreateClient();
        IReadOnlyList<VarBind> result = await client.GetBulkAsync([Oid.Parse("1.3.6.1.2.1.1.3"), IfDescr], nonRepeaters: 1, maxRepetitions: 3);
        Assert.Equal(SysUpTime, result[0].Oid);
        Assert.Equal(4, result.Count);
        Assert.All(result.Skip(1), row => Assert.True(row.Oid.StartsWith(IfTable)));
        Assert.Contains(result.Skip(1), row => row.Value.AsText() == "lo");
    }

    [Fact]
    public async Task WalkAsync_System_ReturnsTheOidsNetSnmpWalkPrints()
    {
        IReadOnlyList<Oid> expected = await NetSnmpCli.WalkOidsAsync(agent, System.ToString());
        await using SnmpClient client = agent.CreateClient();
        List<Oid> walked = await client.WalkAsync(System).Select(v => v.Oid).ToListAsync();
        Assert.True(expected.Count > 10, $"snmpwalk printed only {expected.Count} OIDs");
        Assert.Equal(expected, walked);
    }

    [Fact]
    public async Task BulkWalkAsync_System_ReturnsTheOidsNetSnmpWalkPrints()
    {
        IReadOnlyList<Oid> expected = await NetSnmpCli.WalkOidsAsync(agent, System.ToString());
        await using SnmpClient client = agent.CreateClient();
        List<Oid> walked = await client.BulkWalkAsync(System, maxRepetitions: 7).Select(v => v.Oid).ToListAsync();
        Assert.Equal(expected, walked);
    }

    [Fact]
    public async Task WalkAndBulkWalk_IfTable_ReturnTheOidsNetSnmpWalkPrints()
    {
        IReadOnlyList<Oid> expected = await NetSnmpCli.WalkOidsAsync(agent, IfTable.ToString());
        await using SnmpClient client = agent.CreateClient();
        List<VarBind> walked = await client.WalkAsync(IfTable).ToListAsync();
        List<VarBind> bulkWalked = await client.BulkWalkAsync(IfTable, maxRepetitions: 25).ToListAsync();
        Assert.Equal(expected, walked.Select(v => v.Oid));
        Assert.Equal(expected, bulkWalked.Select(v => v.Oid));
        Assert.Contains(walked, v => v.Oid.StartsWith(IfDescr) && v.Value.AsText() == "lo");
        Assert.Contains(walked, v => v.Value.Kind == SnmpValueKind.Counter32);
    }

    [Fact]
    public async Task WalkAndBulkWalk_PastTheLastObject_EndAtEndOfMibViewWithNothing()
    {
        await using SnmpClient client = agent.CreateClient();
        Assert.Empty(await client.BulkWalkAsync(Oid.Parse("2.99"), maxRepetitions: 10).ToListAsync());
        Assert.Empty(await client.WalkAsync(Oid.Parse("2.99")).ToListAsync());
    }

    [Fact]
    public async Task SetAsync_SysLocation_IsReadBack()
    {
        string location = "rack-" + RandomNumberGenerator.GetHexString(8);
        await using SnmpClient writer = agent.CreateClient(community: agent.WriteCommunity);
        VarBind answer = await writer.SetAsync(SysLocation, SnmpValue.FromText(location));
        Assert.Equal(location, answer.Value.AsText());

        await using SnmpClient reader = agent.CreateClient();
        Assert.Equal(location, (await reader.GetAsync(SysLocation)).Value.AsText());
    }

    [Fact]
    public async Task SetAsync_WrongType_ThrowsWrongTypeNamingTheOid()
    {
        await using SnmpClient writer = agent.CreateClient(community: agent.WriteCommunity);
        SnmpErrorException e = await Assert.ThrowsAsync<SnmpErrorException>(() => writer.SetAsync(SysLocation, SnmpValue.FromInt32(5)));
        Assert.Equal(SnmpErrorStatus.WrongType, e.Status);
        Assert.Equal(1, e.Index);
        Assert.Equal(SysLocation, e.Oid);
        Assert.Contains("wrongType (7) at index 1 (1.3.6.1.2.1.1.6.0)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetAsync_ReadOnlyCommunity_ThrowsNoAccess()
    {
        await using SnmpClient client = agent.CreateClient();
        SnmpErrorException e = await Assert.ThrowsAsync<SnmpErrorException>(() => client.SetAsync(SysLocation, SnmpValue.FromText("x")));
        Assert.Equal(SnmpErrorStatus.NoAccess, e.Status);
    }

    [Fact]
    public async Task GetAsync_WrongCommunity_TimesOutNamingEndpointAndAttemptsButNotTheCommunity()
    {
        string wrong = "wrong-" + RandomNumberGenerator.GetHexString(12);
        await using SnmpClient client = agent.CreateClient(community: wrong, retries: 1, timeout: TimeSpan.FromMilliseconds(300));
        SnmpTimeoutException e = await Assert.ThrowsAsync<SnmpTimeoutException>(() => client.GetAsync(SysDescr));
        Assert.Equal(2, e.Attempts);
        Assert.Equal(agent.Endpoint, e.Endpoint);
        Assert.Contains(agent.Endpoint.ToString(), e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_UnknownObject_ThrowsNoSuchObjectNamingTheOid()
    {
        await using SnmpClient client = agent.CreateClient();
        Oid unknown = Oid.Parse("1.3.6.1.4.1.99999.1.0");
        SnmpNoSuchException e = await Assert.ThrowsAsync<SnmpNoSuchException>(() => client.GetAsync([SysDescr, unknown]));
        Assert.Equal(SnmpValueKind.NoSuchObject, e.Kind);
        Assert.Equal(unknown, e.Oid);
        Assert.Contains("1.3.6.1.4.1.99999.1.0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_UnknownInstance_ThrowsNoSuchInstance()
    {
        await using SnmpClient client = agent.CreateClient();
        SnmpNoSuchException e = await Assert.ThrowsAsync<SnmpNoSuchException>(() => client.GetAsync(Oid.Parse("1.3.6.1.2.1.1.1.1")));
        Assert.Equal(SnmpValueKind.NoSuchInstance, e.Kind);
    }

    [Fact]
    public async Task GetNextAsync_PastTheEndOfTheMib_ThrowsEndOfMibView()
    {
        await using SnmpClient client = agent.CreateClient();
        SnmpNoSuchException e = await Assert.ThrowsAsync<SnmpNoSuchException>(() => client.GetNextAsync(Oid.Parse("2.99")));
        Assert.Equal(SnmpValueKind.EndOfMibView, e.Kind);
    }

    [Fact]
    public async Task GetAsync_Version1_ReturnsSysDescr()
    {
        await using SnmpClient client = agent.CreateClient(SnmpVersion.V1);
        Assert.StartsWith("Linux ", (await client.GetAsync(SysDescr)).Value.AsText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_Version1UnknownObject_ThrowsNoSuchNameNamingTheOid()
    {
        await using SnmpClient client = agent.CreateClient(SnmpVersion.V1);
        Oid unknown = Oid.Parse("1.3.6.1.4.1.99999.1.0");
        SnmpErrorException e = await Assert.ThrowsAsync<SnmpErrorException>(() => client.GetAsync([SysDescr, unknown]));
        Assert.Equal(SnmpErrorStatus.NoSuchName, e.Status);
        Assert.Equal(2, e.Index);
        Assert.Equal(unknown, e.Oid);
    }

    [Fact]
    public async Task WalkAsync_Version1_MatchesTheVersion2cWalk()
    {
        await using SnmpClient v1 = agent.CreateClient(SnmpVersion.V1);
        await using SnmpClient v2c = agent.CreateClient();
        List<Oid> walkedV1 = await v1.BulkWalkAsync(IfTable).Select(v => v.Oid).ToListAsync();
        List<Oid> walkedV2c = await v2c.WalkAsync(IfTable).Select(v => v.Oid).ToListAsync();
        Assert.NotEmpty(walkedV1);
        Assert.Equal(walkedV2c, walkedV1);
    }

    [Fact]
    public async Task SetAsync_Version1_IsReadBack()
    {
        string contact = "noc-" + RandomNumberGenerator.GetHexString(8) + "@example.org";
        Oid sysContact = Oid.Parse("1.3.6.1.2.1.1.4.0");
        await using SnmpClient client = agent.CreateClient(SnmpVersion.V1, community: agent.WriteCommunity);
        await client.SetAsync(sysContact, SnmpValue.FromText(contact));
        Assert.Equal(contact, (await client.GetAsync(sysContact)).Value.AsText());
    }

    [Fact]
    public async Task GetAsync_2000ConcurrentOnOneClient_AllAnsweredCorrectly()
    {
        await using SnmpClient client = agent.CreateClient(retries: 3);
        string expected = (await client.GetAsync(SysDescr)).Value.AsText();
        Oid[] oids = [SysDescr, Oid.Parse("1.3.6.1.2.1.1.5.0"), Oid.Parse("1.3.6.1.2.1.1.2.0")];
        System.Collections.Concurrent.ConcurrentQueue<string> failures = new();
        await Parallel.ForAsync(0, 2000, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, ct) =>
        {
            Oid asked = oids[i % oids.Length];
            try
            {
                VarBind answer = await client.GetAsync(asked, ct);
                if (answer.Oid != asked || (asked == SysDescr && answer.Value.AsText() != expected))
                {
                    failures.Enqueue($"asked {asked}, got {answer}");
                }
            }
            catch (SnmpException e)
            {
                failures.Enqueue(e.ToString());
            }
        });
        Assert.Empty(failures);
    }
}
