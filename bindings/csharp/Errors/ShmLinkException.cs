using System.IO;

namespace ShmLink;

/// <summary>
/// A shmlink failure that no standard .NET exception type describes: <see cref="ShmLinkStatus.AlreadyExists"/>,
/// <see cref="ShmLinkStatus.WrongKind"/>, <see cref="ShmLinkStatus.NoResources"/>,
/// <see cref="ShmLinkStatus.Incompatible"/>, <see cref="ShmLinkStatus.Closed"/> and
/// <see cref="ShmLinkStatus.SystemError"/>. The others become the standard types (see
/// <see cref="IShmLinkError"/>). An <see cref="IOException"/>: these are failures of the operating
/// system's objects or of what other processes did to them.
/// </summary>
public class ShmLinkException : IOException, IShmLinkError
{
    /// <summary>Creates an exception for a failed status.</summary>
    /// <param name="status">The status the library returned.</param>
    /// <param name="nativeMessage">The library's description of the failure.</param>
    /// <param name="osError">The errno or GetLastError() behind it, or 0.</param>
    public ShmLinkException(ShmLinkStatus status, string nativeMessage, int osError = 0)
        : this(new Failure(status, nativeMessage, osError))
    {
    }

    internal ShmLinkException(Failure failure)
        : base(failure.Message)
    {
        Status = failure.Status;
        NativeMessage = failure.NativeMessage;
        OsError = failure.OsError;
    }

    /// <inheritdoc/>
    public ShmLinkStatus Status { get; }

    /// <inheritdoc/>
    public string NativeMessage { get; }

    /// <inheritdoc/>
    public int OsError { get; }
}
