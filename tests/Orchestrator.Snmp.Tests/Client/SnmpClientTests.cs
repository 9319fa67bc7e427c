using Microsoft.Extensions.Time.Testing;

namespace Orchestrator.Snmp.Tests.Client;

public class SnmpClientTests
{
    private static readonly Oid SysName = Oid.Parse("1.3.6.1.2.1.1.5.0");
    private static readonly Oid SysLocation = Oid.Parse("1.3.6.1.2.1.1.6.0");

    [Fact]
    public async Task GetAsync_ResponseWithAnotherRequestIdFirst_IgnoresItAndReturnsTheMatchingOne()
    {
        await using StandInAgent agent = new(r => [StandInAgent.Text(r.Message, "foreign", requestId: r.Message.Pdu.RequestId ^ 0x5555), StandInAgent.Text(r.Message, "right")]);
        await using SnmpClient client = agent.CreateClient();
        Assert.Equal("right", (await client.GetAsync(SysName)).Value.AsText());
    }

    [Fact]
    public async Task GetAsync_ResponseFromAnotherPortFirst_IgnoresIt()
    {
        await using StandInAgent agent = new(r => [StandInAgent.Text(r.Message, "spoofed").FromAnotherPort(), StandInAgent.Text(r.Message, "right")]);
        await using SnmpClient client = agent.CreateClient();
        Assert.Equal("right", (await client.GetAsync(SysName)).Value.AsText());
    }

    [Fact]
    public async Task GetAsync_OnlyAResponseFromAnotherPort_TimesOut()
    {
        await using StandInAgent agent = new(r => [StandInAgent.Text(r.Message, "spoofed").FromAnotherPort()]);
        await using SnmpClient client = agent.CreateClient(timeout: TimeSpan.FromMilliseconds(200));
        SnmpTimeoutException e = await Assert.ThrowsAsync<SnmpTimeoutException>(() => client.GetAsync(SysName));
        Assert.Equal(1, e.Attempts);
    }

    [Fact]
    public async Task GetAsync_WrongCommunityOrMalformedResponseFirst_IgnoresThem()
    {
        await using StandInAgent agent = new(r =>
        [
            new StandInAgent.Reply([0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]),
            StandInAgent.Answer(r.Message, [new VarBind(SysName, SnmpValue.FromText("other community"))], community: "public"),
            StandInAgent.Text(r.Message, "right"),
        ]);
        await using SnmpClient client = agent.CreateClient();
        Assert.Equal("right", (await client.GetAsync(SysName)).Value.AsText());
    }

    [Fact]
    public async Task GetAsync_DuplicateAndLateResponsesOfAnEarlierRequest_AreNotTakenForTheNextAnswer()
    {
        StandInAgent.Reply? previous = null;
        await using StandInAgent agent = new(r =>
        {
            StandInAgent.Reply answer = StandInAgent.Text(r.Message, $"answer {r.Index}");
            List<StandInAgent.Reply> replies = previous is null ? [answer, answer] : [previous, previous, answer];
            previous = answer;
            return replies;
        });
        await using SnmpClient client = agent.CreateClient();
        Assert.Equal("answer 0", (await client.GetAsync(SysName)).Value.AsText());
        Assert.Equal("answer 1", (await client.GetAsync(SysName)).Value.AsText());
        Assert.Equal("answer 2", (await client.GetAsync(SysName)).Value.AsText());
    }

    [Fact]
    public async Task GetAsync_NoAnswerToTheFirstAttempt_RetransmitsWithTheSameRequestId()
    {
        FakeTimeProvider time = new();
        await using StandInAgent agent = new(r => r.Index == 0 ? [] : [StandInAgent.Text(r.Message, "second try")]);
        await using SnmpClient client = agent.CreateClient(timeout: TimeSpan.FromSeconds(3), retries: 2, time: time);

        Task<VarBind> get = client.GetAsync(SysName);
        StandInAgent.Request first = await agent.NextRequestAsync();
        Assert.False(get.IsCompleted);
        StandInAgent.Request second = await AdvanceUntilAsync(time, TimeSpan.FromSeconds(3), agent.NextRequestAsync());

        Assert.Equal("second try", (await get).Value.AsText());
        Assert.Equal(first.Message.Pdu.RequestId, second.Message.Pdu.RequestId);
    }

    [Fact]
    public async Task GetAsync_NeverAnswered_ThrowsTimeoutAfterEveryAttemptWithOneRequestId()
    {
        FakeTimeProvider time = new();
        await using StandInAgent agent = new(_ => []);
        await using SnmpClient client = agent.CreateClient(timeout: TimeSpan.FromSeconds(2), retries: 2, time: time);

        Task<VarBind> get = client.GetAsync(SysName);
        HashSet<int> requestIds = [(await agent.NextRequestAsync()).Message.Pdu.RequestId];
        requestIds.Add((await AdvanceUntilAsync(time, TimeSpan.FromSeconds(2), agent.NextRequestAsync())).Message.Pdu.RequestId);
        requestIds.Add((await AdvanceUntilAsync(time, TimeSpan.FromSeconds(2), agent.NextRequestAsync())).Message.Pdu.RequestId);
        await AdvanceUntilAsync(time, TimeSpan.FromSeconds(2), get.ContinueWith(_ => 0, TaskScheduler.Default));

        SnmpTimeoutException e = await Assert.ThrowsAsync<SnmpTimeoutException>(() => get);
        Assert.Equal(3, e.Attempts);
        Assert.Equal(agent.Endpoint, e.Endpoint);
        Assert.Single(requestIds);
        Assert.DoesNotContain(StandInAgent.Community, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_ErrorStatus_ThrowsNamingStatusIndexAndOid()
    {
        await using StandInAgent agent = new(r => [StandInAgent.Answer(r.Message, r.Message.Pdu.VarBinds, errorStatus: 5, errorIndex: 2)]);
        await using SnmpClient client = agent.CreateClient();
        SnmpErrorException e = await Assert.ThrowsAsync<SnmpErrorException>(() => client.GetAsync([SysName, SysLocation]));
        Assert.Equal(SnmpErrorStatus.GenErr, e.Status);
        Assert.Equal(2, e.Index);
        Assert.Equal(SysLocation, e.Oid);
        Assert.Contains("genErr (5) at index 2 (1.3.6.1.2.1.1.6.0)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_ExceptionValue_IsThrownNeverReturned()
    {
        await using StandInAgent agent = new(r => [StandInAgent.Answer(r.Message, [new VarBind(SysName, SnmpValue.NoSuchInstance)])]);
        await using SnmpClient client = agent.CreateClient();
        SnmpNoSuchException e = await Assert.ThrowsAsync<SnmpNoSuchException>(() => client.GetAsync(SysName));
        Assert.Equal(SnmpValueKind.NoSuchInstance, e.Kind);
        Assert.Equal(SysName, e.Oid);
    }

    [Fact]
    public async Task GetAsync_FewerBindingsThanAsked_Throws()
    {
        await using StandInAgent agent = new(r => [StandInAgent.Text(r.Message, "one")]);
        await using SnmpClient client = agent.CreateClient();
        SnmpException e = await Assert.ThrowsAsync<SnmpException>(() => client.GetAsync([SysName, SysLocation]));
        Assert.Contains("1 binding(s) to a request for 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WalkAsync_AgentReturnsTheSameOidAgain_ThrowsInsteadOfLooping()
    {
        Oid root = Oid.Parse("1.3.6.1.2.1.2");
        Oid stuck = Oid.Parse("1.3.6.1.2.1.2.1.0");
        await using StandInAgent agent = new(r => [StandInAgent.Answer(r.Message, [new VarBind(stuck, SnmpValue.FromInt32(1))])]);
        await using SnmpClient client = agent.CreateClient();
        List<VarBind> seen = [];
        SnmpException e = await Assert.ThrowsAsync<SnmpException>(async () =>
        {
            await foreach (VarBind v in client.WalkAsync(root))
            {
                seen.Add(v);
            }
        });
        Assert.Single(seen);
        Assert.Contains("returned 1.3.6.1.2.1.2.1.0 after 1.3.6.1.2.1.2.1.0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BulkWalkAsync_AgentGoesBackwards_ThrowsInsteadOfLooping()
    {
        Oid root = Oid.Parse("1.3.6.1.2.1.2");
        await using StandInAgent agent = new(r =>
        [
            StandInAgent.Answer(r.Message, [new VarBind(root.Append(2, 1), SnmpValue.FromInt32(1)), new VarBind(root.Append(1, 0), SnmpValue.FromInt32(2))]),
        ]);
        await using SnmpClient client = agent.CreateClient();
        SnmpException e = await Assert.ThrowsAsync<SnmpException>(async () => await client.BulkWalkAsync(root).ToListAsync());
        Assert.Contains("increasing OIDs", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BulkWalkAsync_SendsMaxRepetitionsAndStopsAtTheSubtreeEnd()
    {
        Oid root = Oid.Parse("1.3.6.1.2.1.2");
        await using StandInAgent agent = new(r =>
        [
            StandInAgent.Answer(r.Message, r.Index == 0
                ? [new VarBind(root.Append(1, 0), SnmpValue.FromInt32(1)), new VarBind(root.Append(2, 1), SnmpValue.FromInt32(2))]
                : [new VarBind(root.Append(2, 2), SnmpValue.FromInt32(3)), new VarBind(Oid.Parse("1.3.6.1.2.1.3.1.0"), SnmpValue.FromInt32(4))]),
        ]);
        await using SnmpClient client = agent.CreateClient();
        List<VarBind> walked = await client.BulkWalkAsync(root, maxRepetitions: 2).ToListAsync();
        Assert.Equal(["1.3.6.1.2.1.2.1.0", "1.3.6.1.2.1.2.2.1", "1.3.6.1.2.1.2.2.2"], walked.Select(v => v.Oid.ToString()));

        StandInAgent.Request first = await agent.NextRequestAsync();
        StandInAgent.Request second = await agent.NextRequestAsync();
        Assert.Equal(SnmpPduType.GetBulkRequest, first.Message.Pdu.Type);
        Assert.Equal(2, first.Message.Pdu.MaxRepetitions);
        Assert.Equal(0, first.Message.Pdu.NonRepeaters);
        Assert.Equal(root, first.Message.Pdu.VarBinds[0].Oid);
        Assert.Equal(root.Append(2, 1), second.Message.Pdu.VarBinds[0].Oid);
    }

    [Fact]
    public async Task GetAsync_Cancelled_ThrowsOperationCanceled()
    {
        await using StandInAgent agent = new(_ => []);
        await using SnmpClient client = agent.CreateClient();
        using CancellationTokenSource cancel = new();
        Task<VarBind> get = client.GetAsync(SysName, cancel.Token);
        await agent.NextRequestAsync();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => get);
    }

    [Fact]
    public async Task GetBulkAsync_Version1_IsNotSupported()
    {
        await using StandInAgent agent = new(_ => []);
        await using SnmpClient client = new(new SnmpClientOptions { Endpoint = agent.Endpoint, Community = "x", Version = SnmpVersion.V1 });
        await Assert.ThrowsAsync<NotSupportedException>(() => client.GetBulkAsync([SysName], 0, 5));
    }

    /// <summary>
    /// Moves fake time on by one timeout at a time until <paramref name="awaited"/> completes. Once is not enough:
    /// the client may not have started waiting yet when time first moves, and a timer started later would not fire.
    /// </summary>
    private static async Task<T> AdvanceUntilAsync<T>(FakeTimeProvider time, TimeSpan step, Task<T> awaited)
    {
        for (int i = 0; i < 1000 && !awaited.IsCompleted; i++)
        {
            time.Advance(step);
            await Task.WhenAny(awaited, Task.Delay(20));
        }

        return await awaited;
    }
}
