using System.Globalization;
using System.Text;

namespace Orchestrator.Benchmarks.Parsing;

/// <summary>
/// The benchmark workload: lines of shared/bench/gen-sep-risk.py output, read from the file named
/// by SEP_BENCH_FILE when set, else made here in the same layout (seeded, so runs compare).
/// </summary>
internal static class SepLines
{
    private static readonly string[] Risks = ["W32.Downadup.B", "W32.Ramnit", "W32.Sality.AE", "W32.Virut.CF", "Trojan.Gen.2", "W32.Changeup", "W32.Qakbot", "W32.Worm"];
    private static readonly string[] Scans = ["Auto-Protect scan", "Scheduled scan", "Manual scan", "Definition downloader"];
    private static readonly string[][] Actions =
    [
        ["Quarantined", "Cleaned", "Quarantined"], ["Cleaned by deletion", "Cleaned", "Quarantined"],
        ["Left alone", "Cleaned", "Quarantined"], ["Deleted", "Quarantined", "Deleted"],
    ];

    private static readonly string[] Users = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "oscar", "peggy", "trent", "victor", "walter"];
    private static readonly string[] Groups = [@"My Company\Workstations", @"My Company\Servers", @"My Company\Laptops", @"My Company\Kiosks"];
    private static readonly string[] Files = [@"C:\Users\{0}\AppData\Local\Temp\{1}.exe", @"C:\Users\{0}\Downloads\invoice_{1}.exe", @"C:\Windows\System32\{1}.dll", @"\\FILESRV\share\{0}\{1}.exe"];

    public static string[] Load(int count)
    {
        var file = Environment.GetEnvironmentVariable("SEP_BENCH_FILE");
        if (!string.IsNullOrEmpty(file) && File.Exists(file))
        {
            return File.ReadLines(file).Take(count).ToArray();
        }

        return Generate(count);
    }

    public static string[] Generate(int count)
    {
        // One line in 13 has a Risk Tracer source, about the share of the generator's 1M-line file.
        var random = new Random(20261123);
        var start = new DateTime(2026, 11, 23, 10, 0, 0, DateTimeKind.Utc);
        var lines = new string[count];
        var sb = new StringBuilder(600);
        for (var i = 0; i < count; i++)
        {
            var t = start.AddSeconds(i / 1000);
            var stamp = t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            var victim = random.Next(5000);
            var user = Users[random.Next(Users.Length)];
            var action = Actions[random.Next(Actions.Length)];
            var path = string.Format(CultureInfo.InvariantCulture, Files[random.Next(Files.Length)], user, random.Next(1 << 24).ToString("x6", CultureInfo.InvariantCulture));
            var traced = random.Next(13) == 0;
            sb.Clear();
            sb.Append(CultureInfo.InvariantCulture, $"<54>{t.ToString("MMM d HH:mm:ss", CultureInfo.InvariantCulture).PadLeft(15)} sepm SymantecServer: Virus found,")
              .Append(CultureInfo.InvariantCulture, $"IP Address: 10.1.{(victim + 256) >> 8}.{(victim + 256) & 255},Computer name: HOST-{victim:D4},")
              .Append(CultureInfo.InvariantCulture, $"Source: {Scans[random.Next(4)]},Risk name: {Risks[random.Next(Risks.Length)]},Occurrences: 1,")
              .Append(CultureInfo.InvariantCulture, $"File path: {path},Description: ,Actual action: {action[0]},Requested action: {action[1]},Secondary action: {action[2]},")
              .Append(CultureInfo.InvariantCulture, $"Event time: {stamp},Inserted: {stamp},End: {stamp},Domain: Default,Group: {Groups[random.Next(Groups.Length)]},Server: sepm,")
              .Append(CultureInfo.InvariantCulture, $"User: {user},Source computer: {(traced ? "WS-" + random.Next(50000).ToString("D5", CultureInfo.InvariantCulture) : "")},")
              .Append(CultureInfo.InvariantCulture, $"Source IP: {(traced ? "10.200." + random.Next(256).ToString(CultureInfo.InvariantCulture) + "." + random.Next(1, 255).ToString(CultureInfo.InvariantCulture) : "")}");
            lines[i] = sb.ToString();
        }

        return lines;
    }
}
