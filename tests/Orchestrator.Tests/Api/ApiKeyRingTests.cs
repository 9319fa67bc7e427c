using Orchestrator.Api;
using Orchestrator.Configuration;

namespace Orchestrator.Tests.Api;

public sealed class ApiKeyRingTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("orch-keys-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public void CreateKey_ThenLoad_AuthenticatesWithRoleAndStoresOnlyTheHash()
    {
        var key = ApiKeyRing.CreateKey(_data, "siem", ApiKeyRoles.Ingest);
        var ring = ApiKeyRing.Load(new OrchestratorConfig(), _data);

        var entry = ring.Authenticate(key);
        Assert.NotNull(entry);
        Assert.Equal("siem", entry.Name);
        Assert.Equal(ApiKeyRoles.Ingest, entry.Role);
        Assert.DoesNotContain(key, File.ReadAllText(Path.Combine(_data, ApiKeyRing.DataFileName)), StringComparison.Ordinal);
        Assert.Null(ring.Authenticate(key + "x"));
        Assert.Null(ring.Authenticate(null));
    }

    [Fact]
    public void Load_ConfigKey_AuthenticatesByHash()
    {
        var config = new OrchestratorConfig();
        config.Http.Keys.Add(new ApiKeyConfig { Name = "ops", Role = ApiKeyRoles.Admin, Sha256 = ApiKeyRing.HashHex("my-admin-key") });

        var entry = ApiKeyRing.Load(config, _data).Authenticate("my-admin-key");

        Assert.Equal("ops", entry!.Name);
        Assert.Equal(ApiKeyRoles.Admin, entry.Role);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void BootstrapIfEmpty_FirstStart_WritesIngestAndAdminKeysReadableByOwnerOnly()
    {
        var path = ApiKeyRing.BootstrapIfEmpty(new OrchestratorConfig(), _data);

        Assert.NotNull(path);
        var lines = File.ReadAllLines(path);
        var ring = ApiKeyRing.Load(new OrchestratorConfig(), _data);
        Assert.Equal(ApiKeyRoles.Ingest, ring.Authenticate(lines[0].Split(' ')[1])!.Role);
        Assert.Equal(ApiKeyRoles.Admin, ring.Authenticate(lines[1].Split(' ')[1])!.Role);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Null(ApiKeyRing.BootstrapIfEmpty(new OrchestratorConfig(), _data));
    }

    [Fact]
    public void CreateKey_DuplicateName_Refused()
    {
        ApiKeyRing.CreateKey(_data, "siem", ApiKeyRoles.Ingest);
        var ex = Assert.Throws<ArgumentException>(() => ApiKeyRing.CreateKey(_data, "siem", ApiKeyRoles.Admin));
        Assert.Contains("exists already", ex.Message, StringComparison.Ordinal);
    }
}
