using Orchestrator.Core.Configuration;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Orchestrator.Configuration;

/// <summary>Reads <c>orchestrator.yaml</c>; every error names the file, and the line and column or the key.</summary>
public static class ConfigLoader
{
    public const string DefaultFileName = "orchestrator.yaml";

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    /// <summary>
    /// Loads <paramref name="path"/>; when it is null, loads <c>./orchestrator.yaml</c> if present and
    /// otherwise returns the embedded defaults. Throws <see cref="ConfigException"/>.
    /// </summary>
    public static OrchestratorConfig Load(string? path)
    {
        if (path is null)
        {
            if (!File.Exists(DefaultFileName))
            {
                return new OrchestratorConfig();
            }

            path = DefaultFileName;
        }

        if (!File.Exists(path))
        {
            throw new ConfigException($"{path}: the configuration file does not exist");
        }

        return Parse(File.ReadAllText(path), path);
    }

    public static OrchestratorConfig Parse(string yaml, string fileName)
    {
        OrchestratorConfig? config;
        try
        {
            config = Deserializer.Deserialize<OrchestratorConfig?>(yaml);
        }
        catch (YamlException ex)
        {
            throw new ConfigException($"{fileName}:{ex.Start.Line}:{ex.Start.Column}: {Describe(ex)}", ex);
        }

        config ??= new OrchestratorConfig();
        var errors = ConfigValidator.Validate(config);
        if (errors.Count > 0)
        {
            throw new ConfigException(string.Join(Environment.NewLine, errors.Select(e => $"{fileName}: {e}")));
        }

        return config;
    }

    /// <summary>Resolves a secret reference of the config; a missing variable or file is a <see cref="ConfigException"/> naming the key.</summary>
    public static string ResolveSecret(string key, string reference)
    {
        try
        {
            return SecretReference.Resolve(reference);
        }
        catch (InvalidOperationException ex)
        {
            throw new ConfigException($"{key}: {ex.Message}", ex);
        }
    }

    private static string Describe(YamlException ex)
    {
        var inner = ex.InnerException?.Message;
        var message = ex.Message;
        // YamlDotNet words an unknown key as "Property 'x' not found on type 'Y'."; say it in the file's terms.
        const string marker = "Property '";
        var at = message.IndexOf(marker, StringComparison.Ordinal);
        if (at >= 0 && message.Contains("not found on type", StringComparison.Ordinal))
        {
            var end = message.IndexOf('\'', at + marker.Length);
            var key = message[(at + marker.Length)..end];
            return $"unknown key '{key}'";
        }

        return inner is null ? message : $"{message} {inner}";
    }
}

/// <summary>A configuration error, already worded for the admin (file, position or key, and why).</summary>
public sealed class ConfigException : Exception
{
    public ConfigException()
    {
    }

    public ConfigException(string message)
        : base(message)
    {
    }

    public ConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
