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

            Assert.Equal(4, pids.Count);
            Assert.All(SshNamespaces(info), ns => Assert.True(File.Exists($"/etc/netns/{ns}/passwd"), $"{ns} has its own passwd while up"));
            Assert.All(pids, pid => Assert.True(IsRunning(pid), $"daemon {pid} should run while the lab is up"));
            var up = (await ProcessRunner.RunAsync("ip", ["-4", "-o", "addr", "show"])).StdOut;
            Assert.All(RootAddresses(info), address => Assert.Contains($" {address}/", up, StringComparison.Ordinal));
        }
        finally
        {
            await LabFixture.DownAsync(name);
        }

        var namespaces = await ProcessRunner.RunAsync("ip", ["netns", "list"]);
        Assert.DoesNotContain(name, namespaces.StdOut, StringComparison.Ordinal);
        var links = (await ProcessRunner.RunAsync("ip", ["-o", "link", "show"])).StdOut;
        Assert.All([info.ManagementInterface, info.Router.ManagementInterface], veth => Assert.DoesNotContain(veth, links, StringComparison.Ordinal));
        var addresses = (await ProcessRunner.RunAsync("ip", ["-4", "-o", "addr", "show"])).StdOut;
        Assert.All(RootAddresses(info), address => Assert.DoesNotContain($" {address}/", addresses, StringComparison.Ordinal));
        Assert.All(pids, pid => Assert.False(IsRunning(pid), $"daemon {pid} should be gone after down"));
        Assert.All(info.PidFiles, pidFile => Assert.False(File.Exists(pidFile), $"{pidFile} should be gone"));
        Assert.False(Directory.Exists(info.StateDir), $"{info.StateDir} should be gone");
        Assert.All(SshNamespaces(info), ns => Assert.False(Directory.Exists($"/etc/netns/{ns}"), $"the /etc/netns files of {ns} should be gone"));

        await LabFixture.DownAsync(name);  // again: nothing to do, no error
    }

    // The namespaces that run an sshd, each with its own /etc/netns/<ns>/passwd, and the root namespace's management addresses.
    private static string[] SshNamespaces(LabInfo info) => [info.Namespaces["sw"], info.Namespaces["rtr"]];

    private static string[] RootAddresses(LabInfo info) => [info.ManagementRootAddress, info.Router.ManagementRootAddress];

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
