using System.CommandLine;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Cli;

/// <summary><c>orchestrator validate [DIR]</c>: checks every playbook and the inventory; exit code 0 only without errors.</summary>
public static class ValidateCommand
{
    public const string DefaultDirectory = "playbooks";

    public static Command Create()
    {
        var directory = new Argument<string>("DIR")
        {
            Description = "The playbook folder",
            DefaultValueFactory = _ => DefaultDirectory,
        };
        var command = new Command("validate", "Check playbooks and the inventory: every error as file:line:column, then a summary.") { directory };
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var set = PlaybookLoader.LoadDirectory(parseResult.GetValue(directory)!, PlaybookSetup.LoaderOptions);
            foreach (var error in set.Errors)
            {
                output.WriteLine(error.ToString());
            }

            output.WriteLine($"{Plural(set.PlaybookCount, "playbook")} in {Plural(set.FileCount, "file")}, {Plural(set.Errors.Count, "error")}");
            return set.IsValid ? 0 : 1;
        });
        return command;
    }

    private static string Plural(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";
}
