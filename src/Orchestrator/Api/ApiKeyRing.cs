using System.Security.Cryptography;
using System.Text;
using Orchestrator.Configuration;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Orchestrator.Api;

/// <summary>The roles a key can have: ingest keys post events; admin keys may also read and administer.</summary>
public static class ApiKeyRoles
{
    public const string Ingest = "ingest";
    public const string Admin = "admin";

    public static bool IsKnown(string role) => role is Ingest or Admin;
}

/// <summary>A known key: its name, role and the SHA-256 of the key.</summary>
public sealed record ApiKeyEntry(string Name, string Role, byte[] Sha256);

/// <summary>
/// The API keys the service accepts, from <c>http.keys</c> in the config and from
/// <c>DATA/api-keys.yaml</c> (written by <c>orchestrator key new</c>). Only hashes are held: keys are
/// 256-bit random values, so a plain SHA-256 is enough and a leaked file reveals no key.
/// </summary>
public sealed class ApiKeyRing
{
    public const string DataFileName = "api-keys.yaml";
    public const string InitialKeysFileName = "initial-api-keys.txt";

    private static readonly ISerializer Serializer = new SerializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();
    private static readonly IDeserializer Deserializer = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();

    private readonly List<ApiKeyEntry> _entries;

    public ApiKeyRing(IEnumerable<ApiKeyEntry> entries) => _entries = [.. entries];

    public IReadOnlyList<ApiKeyEntry> Entries => _entries;

    /// <summary>The entry whose hash matches <paramref name="presentedKey"/>, compared in constant time, or null.</summary>
    public ApiKeyEntry? Authenticate(string? presentedKey)
    {
        if (string.IsNullOrEmpty(presentedKey))
        {
            return null;
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presentedKey));
        ApiKeyEntry? found = null;
        foreach (var entry in _entries)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, entry.Sha256))
            {
                found = entry;
            }
        }

        return found;
    }

    /// <summary>Loads the keys of the config and of the data directory.</summary>
    public static ApiKeyRing Load(OrchestratorConfig config, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(config);
        var entries = config.Http.Keys.Select(ToEntry).ToList();
        var file = Path.Combine(dataDirectory, DataFileName);
        if (File.Exists(file))
        {
            List<ApiKeyConfig>? stored;
            try
            {
                stored = Deserializer.Deserialize<List<ApiKeyConfig>?>(File.ReadAllText(file));
            }
            catch (YamlDotNet.Core.YamlException ex)
            {
                throw new ConfigException($"{file}:{ex.Start.Line}:{ex.Start.Column}: {ex.Message}", ex);
            }

            entries.AddRange((stored ?? []).Select(ToEntry));
        }

        return new ApiKeyRing(entries);
    }

    /// <summary>Creates a key, appends its hash to <c>DATA/api-keys.yaml</c> and returns the key (shown once).</summary>
    public static string CreateKey(string dataDirectory, string name, string role)
    {
        if (!ApiKeyRoles.IsKnown(role))
        {
            throw new ArgumentException($"'{role}' is not a role (use ingest or admin)", nameof(role));
        }

        Directory.CreateDirectory(dataDirectory);
        var key = "orch_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var file = Path.Combine(dataDirectory, DataFileName);
        var stored = File.Exists(file) ? Deserializer.Deserialize<List<ApiKeyConfig>?>(File.ReadAllText(file)) ?? [] : [];
        if (stored.Any(k => k.Name == name))
        {
            throw new ArgumentException($"a key named '{name}' exists already in {file}", nameof(name));
        }

        stored.Add(new ApiKeyConfig { Name = name, Role = role, Sha256 = HashHex(key) });
        WritePrivate(file, Serializer.Serialize(stored));
        return key;
    }

    /// <summary>
    /// On a first start with no key anywhere, creates an ingest and an admin key and writes them,
    /// readable by the owner only, to <c>DATA/initial-api-keys.txt</c>. Returns that path, or null
    /// when keys existed.
    /// </summary>
    public static string? BootstrapIfEmpty(OrchestratorConfig config, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Http.Keys.Count > 0 || File.Exists(Path.Combine(dataDirectory, DataFileName)))
        {
            return null;
        }

        var ingest = CreateKey(dataDirectory, "initial-ingest", ApiKeyRoles.Ingest);
        var admin = CreateKey(dataDirectory, "initial-admin", ApiKeyRoles.Admin);
        var path = Path.Combine(dataDirectory, InitialKeysFileName);
        WritePrivate(path, $"ingest {ingest}\nadmin {admin}\n");
        return path;
    }

    public static string HashHex(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static ApiKeyEntry ToEntry(ApiKeyConfig k) => new(k.Name, k.Role, Convert.FromHexString(k.Sha256));

    private static void WritePrivate(string path, string content)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(content);
    }
}
