using System.Runtime.InteropServices;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Custody.Hsm.Pkcs11;

/// <summary>The two process-level tweaks loading a PKCS#11 module needs on Linux.</summary>
internal static partial class NativeSupport
{
    private static readonly Lock s_lock = new();
    private static bool s_resolverInstalled;

    /// <summary>
    /// Pkcs11Interop P/Invokes dlopen from "libdl"; Debian 12 ships only libdl.so.2 (and glibc 2.34+
    /// has dlopen in libc.so.6), so the default probing throws DllNotFoundException.
    /// </summary>
    public static void InstallLibdlResolver()
    {
        lock (s_lock)
        {
            if (s_resolverInstalled) return;
            NativeLibrary.SetDllImportResolver(typeof(Pkcs11InteropFactories).Assembly, (name, _, _) =>
            {
                if (name != "libdl") return IntPtr.Zero;
                if (NativeLibrary.TryLoad("libdl.so.2", out var handle)) return handle;
                return NativeLibrary.TryLoad("libc.so.6", out handle) ? handle : IntPtr.Zero;
            });
            s_resolverInstalled = true;
        }
    }

    /// <summary>
    /// Sets a variable in the C library's environment. SoftHSM reads SOFTHSM2_CONF with getenv in
    /// C_Initialize; Environment.SetEnvironmentVariable only changes the runtime's own copy.
    /// </summary>
    public static void SetNativeEnvironment(string name, string value)
    {
        if (setenv(name, value, 1) != 0)
            throw new HsmException(HsmError.Configuration, $"setenv({name}) failed with errno {Marshal.GetLastPInvokeError()}");
    }

    public static string? GetNativeEnvironment(string name)
    {
        var value = getenv(name);
        return value == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(value);
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int setenv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr getenv(string name);
}
