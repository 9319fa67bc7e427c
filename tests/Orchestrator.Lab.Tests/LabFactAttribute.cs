namespace Orchestrator.Lab.Tests;

/// <summary>A fact that needs the lab: skipped, with the reason shown, when not root outside CI.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class LabFactAttribute : FactAttribute
{
    public LabFactAttribute()
    {
        if (LabEnvironment.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
