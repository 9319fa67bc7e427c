using System.CommandLine;

namespace Orchestrator.Cli;

/// <summary><c>orchestrator schema</c>: prints the JSON Schema of playbook files for editors (YAML language server).</summary>
public static class SchemaCommand
{
    public static Command Create()
    {
        var command = new Command("schema", "Print the JSON Schema of playbook files (save it as playbooks/playbook.schema.json).");
        command.SetAction(parseResult =>
        {
            parseResult.InvocationConfiguration.Output.Write(PlaybookSetup.Schema());
            return 0;
        });
        return command;
    }
}
