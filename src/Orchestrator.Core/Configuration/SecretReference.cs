namespace Orchestrator.Core.Configuration;

/// <summary>
/// Resolves secrets written by reference, never by value: <c>${env:NAME}</c> reads an environment
/// variable, <c>${file:PATH}</c> reads a file (trailing newline removed). Any other text is refused,
/// so a pasted password fails loudly instead of being stored in a config file.
/// </summary>
public static class SecretReference
{
    public static bool IsReference(string? text) =>
        text is not null && text.StartsWith("${", StringComparison.Ordinal) && text.EndsWith('}');

    /// <summary>Resolves <paramref name="reference"/>; throws <see cref="InvalidOperationException"/> saying what is missing.</summary>
    public static string Resolve(string reference, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        environment ??= Environment.GetEnvironmentVariable;
        if (!IsReference(reference))
        {
            throw new InvalidOperationException("a secret must be a reference, ${env:NAME} or ${file:PATH}, not the secret itself");
        }

        var body = reference[2..^1];
        if (body.StartsWith("env:", StringComparison.Ordinal))
        {
            var name = body[4..];
            return environment(name) is { Length: > 0 } value
                ? value
                : throw new InvalidOperationException($"environment variable '{name}' is not set");
        }

        if (body.StartsWith("file:", StringComparison.Ordinal))
        {
            var path = body[5..];
            return File.Exists(path)
                ? File.ReadAllText(path).TrimEnd('\r', '\n')
                : throw new InvalidOperationException($"secret file '{path}' does not exist");
        }

        throw new InvalidOperationException($"unknown secret reference '{reference}' (use ${{env:NAME}} or ${{file:PATH}})");
    }
}
