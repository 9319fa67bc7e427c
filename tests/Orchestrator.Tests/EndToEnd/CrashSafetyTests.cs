using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;

namespace Orchestrator.Tests.EndToEnd;

/// <summary>An acknowledged event survives <c>kill -9</c> of the service.</summary>
public sealed class CrashSafetyTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("orch-crash-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task KillMinus9_WhileIngesting_EveryAcknowledgedEventIsStored()
    {
        var acknowledged = new ConcurrentDictionary<long, string>();
        await using (var server = await OrchestratorProcess.StartAsync(_data))
        {
            using var stop = new CancellationTokenSource();
            var posters = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var line = ServeTests.SepTraced.Replace("HOST-3835", $"CRASH-{worker}-{i}", StringComparison.Ordinal);
                    try
                    {
                        using var request = server.Request(HttpMethod.Post, "/api/v1/events?format=sep", OrchestratorProcess.IngestKey, new StringContent(line));
                        using var response = await server.Http.SendAsync(request);
                        if (response.StatusCode == HttpStatusCode.Accepted)
                        {
                            using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                            acknowledged[answer.RootElement.GetProperty("first_id").GetInt64()] = line;
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return; // the server is gone: what was not acknowledged may be lost
                    }
                    catch (TaskCanceledException)
                    {
                        return;
                    }
                }
            })).ToList();

            await OrchestratorProcess.WaitUntilAsync(() => Task.FromResult(acknowledged.Count >= 300), "300 events are acknowledged");
            server.KillHard();
            await stop.CancelAsync();
            await Task.WhenAll(posters);
        }

        Assert.True(acknowledged.Count >= 300);
        var (exitCode, stdout, stderr) = await OrchestratorProcess.RunCliAsync("events", "--data", _data, "--config", Path.Combine(_data, "orchestrator.yaml"), "--limit", "100000", "--output", "json");
        Assert.True(exitCode == 0, stderr);
        var stored = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(e => e.GetProperty("orchestrator").GetProperty("id").GetInt64(), e => e.GetProperty("event").GetProperty("original").GetString());
        foreach (var (id, line) in acknowledged)
        {
            Assert.True(stored.TryGetValue(id, out var original), $"acknowledged event {id} is missing after kill -9");
            Assert.Equal(line, original);
        }

        // The service starts again on the same data and keeps numbering after the survivors.
        await using var restarted = await OrchestratorProcess.StartAsync(_data);
        using var post = restarted.Request(HttpMethod.Post, "/api/v1/events?format=sep", OrchestratorProcess.IngestKey, new StringContent(ServeTests.SepTraced));
        using var posted = await restarted.Http.SendAsync(post);
        using var again = JsonDocument.Parse(await posted.Content.ReadAsStringAsync());
        Assert.True(again.RootElement.GetProperty("first_id").GetInt64() > stored.Keys.Max());
    }
}
