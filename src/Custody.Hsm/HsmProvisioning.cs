using System.Text;
using Custody.Hsm.Pkcs11;
using Net.Pkcs11Interop.Common;

namespace Custody.Hsm;

/// <summary>
/// Creates a token for development, tests and the embedded SoftHSM set-up, through PKCS#11 itself
/// (C_InitToken, SO login, C_InitPIN) so PINs travel in zeroed buffers and never on a command line.
/// Production HSMs are initialised with the vendor's ceremony tools instead.
/// </summary>
public static class HsmProvisioning
{
    /// <summary>
    /// Creates the token <see cref="HsmOptions.TokenLabel"/> in a free slot with the given SO PIN and
    /// the options' user PIN, unless a token with that label exists. Returns true when it was created.
    /// </summary>
    public static bool InitializeTokenIfMissing(HsmOptions options, PinSource soPin)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(soPin);
        options.Validate();
        var module = Pkcs11Module.Acquire(options.ModulePath, options.SoftHsmConfigPath);
        try
        {
            using var scope = module.EnterOperation();
            var library = scope.Library;
            if (TokenSlots.FindByLabel(library, options.TokenLabel, module.ModulePath) is not null) return false;

            var free = TokenSlots.FindUninitialised(library)
                ?? throw new HsmException(HsmError.Configuration, $"module {module.ModulePath} offers no uninitialised token to create '{options.TokenLabel}' in");
            using (var so = soPin.Read())
                free.InitToken(so.Bytes, PaddedLabel(options.TokenLabel));

            var slot = TokenSlots.FindByLabel(library, options.TokenLabel, module.ModulePath)
                ?? throw new HsmException(HsmError.OperationFailed, $"token '{options.TokenLabel}' is not visible after C_InitToken");
            using var session = slot.OpenSession(SessionType.ReadWrite);
            using (var so = soPin.Read())
                session.Login(CKU.CKU_SO, so.Bytes);
            try
            {
                using var user = options.UserPin.Read();
                session.InitPin(user.Bytes);
            }
            finally
            {
                session.Logout();
            }
            return true;
        }
        catch (Pkcs11Exception e)
        {
            throw new HsmException(HsmError.OperationFailed, $"initialising token '{options.TokenLabel}' failed: {e.Method} returned {e.RV}", e);
        }
        catch (TokenLostException e)
        {
            throw new HsmUnavailableException($"initialising token '{options.TokenLabel}' failed: {e.Message}", e);
        }
        finally
        {
            module.Release();
        }
    }

    /// <summary>C_InitToken reads exactly 32 bytes of label, blank-padded.</summary>
    private static byte[] PaddedLabel(string label)
    {
        var padded = new byte[32];
        padded.AsSpan().Fill((byte)' ');
        Encoding.UTF8.GetBytes(label, padded);
        return padded;
    }
}
