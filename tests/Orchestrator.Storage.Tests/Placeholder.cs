namespace Orchestrator.Storage.Tests;
