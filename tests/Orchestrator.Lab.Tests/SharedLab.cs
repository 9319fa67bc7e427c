namespace Orchestrator.Lab.Tests;

/// <summary>Every lab test shares one lab and runs one at a time; a test that changes the lab restores it.</summary>
[CollectionDefinition(Name)]
public sealed class SharedLab : ICollectionFixture<LabFixture>
{
    public const string Name = "lab";
}
