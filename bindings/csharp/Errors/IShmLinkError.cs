namespace ShmLink;

/// <summary>
/// What every exception the library's failures become carries: the status it returned, its own
/// description of the failure and the operating-system error behind it. The exceptions are of the
/// standard .NET types where .NET has one (<see cref="System.ArgumentException"/>,
/// <see cref="System.ObjectDisposedException"/>, <see cref="System.UnauthorizedAccessException"/>,
/// <see cref="System.IO.FileNotFoundException"/>, <see cref="System.IO.InvalidDataException"/>, ...),
/// otherwise <see cref="ShmLinkException"/>; <see cref="ShmLinkErrors.AsShmLinkError(System.Exception)"/> finds
/// the status of any of them. <see cref="ShmLinkStatus.Corrupt"/> is a plain
/// <see cref="System.IO.InvalidDataException"/> (a sealed type) whose <c>InnerException</c> is the
/// <see cref="ShmLinkException"/> with the status.
/// </summary>
public interface IShmLinkError
{
    /// <summary>The exception's message: the library's description, said once (the status name alone
    /// when the library gave none).</summary>
    string Message { get; }

    /// <summary>The status the library returned.</summary>
    ShmLinkStatus Status { get; }

    /// <summary>The library's description of the failure (<c>shmlink_last_error_message()</c>): the
    /// operation, the object's name and the operating-system error text.</summary>
    string NativeMessage { get; }

    /// <summary>The errno (Linux) or GetLastError() (Windows) behind the failure, or 0 when it did
    /// not come from the operating system.</summary>
    int OsError { get; }
}
