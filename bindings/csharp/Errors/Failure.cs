using System;
using ShmLink.Native;

namespace ShmLink;

/// <summary>
/// One failure of a native call, and the exception it becomes: the standard .NET type where there is
/// one (see <see cref="IShmLinkError"/>), else <see cref="ShmLinkException"/>.
/// </summary>
internal readonly record struct Failure(ShmLinkStatus Status, string NativeMessage, int OsError)
{
    /// <summary>The exception's message: the library's own, which already names the operation and the
    /// status ("shmlink_segment_open(\"x\"): SHMLINK_ERR_NOT_FOUND: ..."), said once; the status name
    /// alone when the library gave none.</summary>
    public string Message =>
        NativeMessage.Length != 0 ? NativeMessage : ShmLinkLibrary.GetStatusName(Status);

    public Exception ToException() => Status switch
    {
        ShmLinkStatus.InvalidArgument or ShmLinkStatus.InvalidName or ShmLinkStatus.TooLarge
            or ShmLinkStatus.BufferTooSmall => new ShmLinkArgumentException(this),
        ShmLinkStatus.OutOfRange => new ShmLinkOutOfRangeException(this),
        ShmLinkStatus.BadHandle => new ShmLinkDisposedException(this),
        ShmLinkStatus.NotFound => new ShmLinkNotFoundException(this),
        ShmLinkStatus.AccessDenied => new ShmLinkAccessDeniedException(this),
        // InvalidDataException is sealed: the ShmLinkException inside carries the status.
        ShmLinkStatus.Corrupt => new System.IO.InvalidDataException(Message, new ShmLinkException(this)),
        ShmLinkStatus.Timeout => new ShmLinkTimeoutException(this),
        ShmLinkStatus.NotSupported => new ShmLinkNotSupportedException(this),
        ShmLinkStatus.NotOwner => new ShmLinkNotOwnerException(this),
        ShmLinkStatus.LimitExceeded => new ShmLinkSemaphoreFullException(this),
        _ => new ShmLinkException(this),
    };

    /// <summary>Throws for a failed status, with this thread's last error; call it right after the
    /// native call, on the same thread.</summary>
    public static void ThrowIfFailed(int status)
    {
        if (status < 0) throw FromLastError(status);
    }

    /// <summary>The exception for a failed status, with this thread's last error.</summary>
    public static Exception FromLastError(int status) =>
        new Failure((ShmLinkStatus)status, shmlink.last_error_message(), shmlink.last_os_error()).ToException();
}
