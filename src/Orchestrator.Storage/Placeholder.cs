namespace Orchestrator.Storage;
