using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Orchestrator.Connectors.Scripts;

/// <summary>What to start: the program (already checked), its argv, environment, directory, stdin, and limits.</summary>
internal sealed record ScriptLaunch(
    string Program,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    string WorkingDirectory,
    byte[] Input,
    int MaxOutputBytes,
    TimeSpan? Timeout);

/// <summary>How a script run ended.</summary>
internal enum ScriptEnd
{
    Exited,
    TimedOut,
    Cancelled,
}

/// <summary>A finished script run: how it ended, its exit code (128 + signal when killed), its output and how long it took.</summary>
internal sealed record ScriptExit(ScriptEnd End, int ExitCode, CapturedOutput Stdout, CapturedOutput Stderr, TimeSpan Duration);

/// <summary>
/// Runs one program in a process group of its own and, however it ends, kills the whole group
/// before returning (see docs/adr/0013-script-step.md).
/// </summary>
internal static class ScriptProcess
{
    private const int SigKill = 9;

    // After the group is killed the pipes close at once, unless a process left the group (setsid,
    // daemon) and still holds them: its output is then abandoned after this long.
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Starts the program under <paramref name="setsidPath"/>, feeds stdin, captures stdout and stderr
    /// (bounded), and waits for its exit, its timeout or <paramref name="cancellationToken"/>.
    /// Throws <see cref="System.ComponentModel.Win32Exception"/> when setsid itself cannot be started.
    /// </summary>
    public static async Task<ScriptExit> RunAsync(string setsidPath, ScriptLaunch launch, TimeProvider time, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(setsidPath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = launch.WorkingDirectory,
        };

        // setsid makes the program a session and group leader whose group id is its pid (it does
        // not fork, as a child of ours is never a group leader already); --wait keeps the exit code if it ever does.
        start.ArgumentList.Add("--wait");
        start.ArgumentList.Add(launch.Program);
        foreach (var argument in launch.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var (name, value) in launch.Environment)
        {
            start.Environment[name] = value;
        }

        // Armed before the start, so the limit covers the whole life of the process.
        using var deadline = launch.Timeout is { } timeout ? new CancellationTokenSource(timeout, time) : new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        using var abandon = new CancellationTokenSource();
        using var process = new Process { StartInfo = start };
        var started = time.GetTimestamp();
        process.Start();
        var group = process.Id;

        var stdout = new CapturedOutput(launch.MaxOutputBytes);
        var stderr = new CapturedOutput(launch.MaxOutputBytes);
        var pipes = Task.WhenAll(
            stdout.ReadToEndAsync(process.StandardOutput.BaseStream, abandon.Token),
            stderr.ReadToEndAsync(process.StandardError.BaseStream, abandon.Token),
            WriteInputAsync(process.StandardInput, launch.Input, abandon.Token));

        var end = ScriptEnd.Exited;
        try
        {
            await process.WaitForExitAsync(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            end = cancellationToken.IsCancellationRequested ? ScriptEnd.Cancelled : ScriptEnd.TimedOut;
        }

        // Also after a normal exit: what the script left running in its group would outlive the step
        // and hold its pipes open.
        KillGroup(process, group);
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        var duration = time.GetElapsedTime(started);
        try
        {
            await pipes.WaitAsync(DrainGrace, time, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await abandon.CancelAsync().ConfigureAwait(false);
            await pipes.ConfigureAwait(false);
        }

        return new ScriptExit(end, process.ExitCode, stdout, stderr, duration);
    }

    private static void KillGroup(Process process, int group)
    {
        // kill(-pgid) reaches every member, re-parented grandchildren included; ESRCH means none is left.
        if (group > 1 && group != Environment.ProcessId)
        {
            _ = NativeMethods.kill(-group, SigKill);
        }

        // The group exists only once setsid has run: a process killed before that has started nothing.
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // It exited in between.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Likewise (ESRCH).
        }
    }

    private static async Task WriteInputAsync(StreamWriter stdin, byte[] input, CancellationToken abandon)
    {
        try
        {
            await stdin.BaseStream.WriteAsync(input, abandon).ConfigureAwait(false);
            await stdin.BaseStream.FlushAsync(abandon).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The program closed its stdin or exited without reading all of it: that is its choice.
        }
        catch (OperationCanceledException) when (abandon.IsCancellationRequested)
        {
        }
        finally
        {
            try
            {
                stdin.Dispose();
            }
            catch (IOException)
            {
            }
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // LibraryImport needs AllowUnsafeBlocks for the generated stub; kill(2) takes two ints.
        public static extern int kill(int pid, int sig);
#pragma warning restore SYSLIB1054
    }
}
