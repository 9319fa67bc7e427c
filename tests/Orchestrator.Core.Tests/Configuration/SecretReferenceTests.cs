using Orchestrator.Core.Configuration;

namespace Orchestrator.Core.Tests.Configuration;

public class SecretReferenceTests
{
    [Fact]
    public void Resolve_EnvReference_ReadsVariable()
    {
        var value = SecretReference.Resolve("${env:SMTP_PASSWORD}", name => name == "SMTP_PASSWORD" ? "s3cret" : null);
        Assert.Equal("s3cret", value);
    }

    [Fact]
    public void Resolve_MissingVariable_SaysWhichOne()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => SecretReference.Resolve("${env:NOPE}", _ => null));
        Assert.Contains("'NOPE'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_FileReference_ReadsFileWithoutTrailingNewline()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "from-file\n");
            Assert.Equal("from-file", SecretReference.Resolve("${file:" + path + "}"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Resolve_PlainSecret_Refused()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => SecretReference.Resolve("hunter2"));
        Assert.Contains("reference", ex.Message, StringComparison.Ordinal);
    }
}
