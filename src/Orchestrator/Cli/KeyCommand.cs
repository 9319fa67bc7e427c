using System.CommandLine;
using Orchestrator.Api;

namespace Orchestrator.Cli;

/// <summary><c>orchestrator key new</c>: creates an API key; only its hash is kept.</summary>
public static class KeyCommand
{
    public static Command Create()
    {
        var name = new Option<string>("--name") { Description = "A name for the key (who or what uses it)", Required = true };
        var role = new Option<string>("--role") { Description = "ingest (post events) or admin (also read and administer)", Required = true };
        role.AcceptOnlyFromAmong(ApiKeyRoles.Ingest, ApiKeyRoles.Admin);
        var create = new Command("new", "Create a key; it is printed once and its SHA-256 is added to DATA/api-keys.yaml.") { name, role };
        create.SetAction(parseResult =>
        {
            var settings = CliApp.LoadSettings(parseResult);
            if (settings is null)
            {
                return 2;
            }

            try
            {
                var key = ApiKeyRing.CreateKey(settings.DataDirectory, parseResult.GetRequiredValue(name), parseResult.GetRequiredValue(role));
                Console.WriteLine(key);
                Console.Error.WriteLine($"Store this key now: it is not kept. Its SHA-256 ({ApiKeyRing.HashHex(key)}) was added to {Path.Combine(settings.DataDirectory, ApiKeyRing.DataFileName)}; restart the service to load it.");
                return 0;
            }
            catch (ArgumentException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return 2;
            }
        });
        return new Command("key", "Manage API keys.") { create };
    }
}
