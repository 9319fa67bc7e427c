using Orchestrator.Cli;

return await CliApp.Build().Parse(args).InvokeAsync().ConfigureAwait(false);
