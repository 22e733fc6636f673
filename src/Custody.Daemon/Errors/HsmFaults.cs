namespace Custody.Daemon.Errors;

/// <summary>Recognises an HSM that does not answer, anywhere in an exception's chain.</summary>
public static class HsmFaults
{
    public static bool IsUnavailable(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e.GetType().Name == "HsmUnavailableException") return true;
        }
        return false;
    }
}
