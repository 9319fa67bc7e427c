namespace Orchestrator.Tests;
