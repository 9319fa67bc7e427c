using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Storage.Tests.Sqlite;

public sealed class SqliteEventStoreOptionsTests
{
    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Validate_EmptyDataDirectory_ThrowsNamingTheOption(string directory)
    {
        var error = Assert.Throws<ArgumentException>(() => new SqliteEventStoreOptions { DataDirectory = directory }.Validate());

        Assert.Contains("DataDirectory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnknownSynchronousLevel_ThrowsNamingTheOption()
    {
        var error = Assert.Throws<ArgumentException>(() => new SqliteEventStoreOptions { Synchronous = (SqliteSynchronous)7 }.Validate());

        Assert.Contains("Synchronous", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Defaults_AreAccepted()
    {
        var options = new SqliteEventStoreOptions();

        options.Validate();

        Assert.Equal(SqliteSynchronous.Full, options.Synchronous);
    }
}
