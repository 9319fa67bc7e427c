namespace Orchestrator.Lab.Tests;

/// <summary>lab.sh down leaves nothing behind, and is safe to run twice. Uses its own lab, not the shared one.</summary>
[Collection(SharedLab.Name)]
public sealed class LabTeardownTests
{
    [LabFact]
    public async Task Down_AfterUp_LeavesNoNamespaceVethProcessOrStateAndIsSafeTwice()
    {
        var name = LabFixture.NewName();
        LabInfo info;
        var pids = new List<int>();
        try
        {
            info = await LabFixture.UpAsync(name);
            foreach (var pidFile in info.PidFiles)
            {
                pids.Add(int.Parse((await File.ReadAllTextAsync(pidFile)).Trim(), System.Globalization.CultureInfo.InvariantCulture));
            }

            Assert.Equal(3, pids.Count);
            Assert.True(File.Exists($"/etc/netns/{info.Namespaces["sw"]}/passwd"), "the switch namespace has its own passwd while up");
            Assert.All(pids, pid => Assert.True(IsRunning(pid), $"daemon {pid} should run while the lab is up"));
            Assert.Contains(info.ManagementRootAddress, (await ProcessRunner.RunAsync("ip", ["-4", "-o", "addr", "show"])).StdOut, StringComparison.Ordinal);
        }
        finally
        {
            await LabFixture.DownAsync(name);
        }

        var namespaces = await ProcessRunner.RunAsync("ip", ["netns", "list"]);
        Assert.DoesNotContain(name, namespaces.StdOut, StringComparison.Ordinal);
        var links = await ProcessRunner.RunAsync("ip", ["-o", "link", "show"]);
        Assert.DoesNotContain(info.ManagementInterface, links.StdOut, StringComparison.Ordinal);
        var addresses = await ProcessRunner.RunAsync("ip", ["-4", "-o", "addr", "show"]);
        Assert.DoesNotContain($" {info.ManagementRootAddress}/", addresses.StdOut, StringComparison.Ordinal);
        Assert.All(pids, pid => Assert.False(IsRunning(pid), $"daemon {pid} should be gone after down"));
        Assert.All(info.PidFiles, pidFile => Assert.False(File.Exists(pidFile), $"{pidFile} should be gone"));
        Assert.False(Directory.Exists(info.StateDir), $"{info.StateDir} should be gone");
        Assert.False(Directory.Exists($"/etc/netns/{info.Namespaces["sw"]}"), "the switch namespace's /etc/netns files should be gone");

        await LabFixture.DownAsync(name);  // again: nothing to do, no error
    }

    // A daemon the lab killed may linger as a zombie until its parent (init here) reaps it: that is not running.
    private static bool IsRunning(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return false;
        }

        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
