using System.CommandLine;
using Orchestrator.Configuration;

namespace Orchestrator.Cli;

/// <summary>The command line: global options and one command per verb.</summary>
public static class CliApp
{
    public static readonly Option<string?> DataOption = new("--data")
    {
        Description = "Data directory (SQLite database, generated keys). Default: data from the config file, else ./data",
        Recursive = true,
    };

    public static readonly Option<string?> ConfigOption = new("--config")
    {
        Description = "Configuration file. Default: ./orchestrator.yaml when present, else the embedded defaults",
        Recursive = true,
    };

    public static RootCommand Build()
    {
        var root = new RootCommand("Orchestrator: hears security events, traces infections, and contains them.");
        root.Options.Add(DataOption);
        root.Options.Add(ConfigOption);
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(IngestCommand.Create());
        root.Subcommands.Add(EventsCommand.Create());
        root.Subcommands.Add(DeadLettersCommand.Create());
        root.Subcommands.Add(KeyCommand.Create());
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(SchemaCommand.Create());
        root.Subcommands.Add(TestCommand.Create());
        root.Subcommands.Add(ReplayCommand.Create());
        root.Subcommands.Add(RunsCommand.Create());
        root.Subcommands.Add(IncidentsCommand.Create());
        root.Subcommands.Add(IncidentsCommand.AckCommand());
        root.Subcommands.Add(LocateCommand.Create());
        root.Subcommands.Add(OutbreakCommand.Create());
        root.Subcommands.Add(ContainmentsCommand.Create());
        root.Subcommands.Add(ContainmentsCommand.ContainCommand());
        root.Subcommands.Add(ContainmentsCommand.ReleaseCommand());
        root.Subcommands.Add(ContainmentsCommand.ExtendCommand());
        root.Subcommands.Add(ReportCommand.Create());
        return root;
    }

    /// <summary>Loads config and settings for a verb; on error prints it and returns null (exit code 2).</summary>
    public static AppSettings? LoadSettings(ParseResult parseResult, string? http = null, string? udp = null, string? tcp = null, string? tls = null)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        try
        {
            var config = ConfigLoader.Load(parseResult.GetValue(ConfigOption));
            return AppSettings.From(config, parseResult.GetValue(DataOption), http, udp, tcp, tls);
        }
        catch (ConfigException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return null;
        }
    }
}
