using System;
using ShmLink.Native;

namespace ShmLink;

/// <summary>
/// A shmlink operation failed. <see cref="Status"/> says how, and the message carries the
/// library's own description of this thread's failure (<c>shmlink_last_error_message()</c>):
/// the operation, the object's name and the operating-system error.
/// </summary>
public sealed class ShmLinkException : Exception
{
    /// <summary>Creates an exception for a failed status.</summary>
    /// <param name="status">The status the library returned.</param>
    /// <param name="nativeMessage">The library's description of the failure.</param>
    /// <param name="osError">The errno or GetLastError() behind it, or 0.</param>
    public ShmLinkException(ShmLinkStatus status, string nativeMessage, int osError = 0)
        : base(FormatMessage(status, nativeMessage))
    {
        Status = status;
        NativeMessage = nativeMessage;
        OsError = osError;
    }

    /// <summary>The status the library returned.</summary>
    public ShmLinkStatus Status { get; }

    /// <summary>The library's description of the failure (<c>shmlink_last_error_message()</c>).</summary>
    public string NativeMessage { get; }

    /// <summary>The errno (Linux) or GetLastError() (Windows) behind the failure, or 0 when it did
    /// not come from the operating system.</summary>
    public int OsError { get; }

    private static string FormatMessage(ShmLinkStatus status, string nativeMessage)
    {
        string name = ShmLinkLibrary.GetStatusName(status);
        return nativeMessage.Length == 0 ? name : $"{name}: {nativeMessage}";
    }

    /// <summary>Throws for a failed status, with this thread's last error; call it right after the
    /// native call, on the same thread.</summary>
    internal static void ThrowIfFailed(int status)
    {
        if (status < 0) throw FromLastError(status);
    }

    internal static ShmLinkException FromLastError(int status) =>
        new((ShmLinkStatus)status, shmlink.last_error_message(), shmlink.last_os_error());
}
