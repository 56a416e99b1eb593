using System.IO;

namespace ShmLink;

/// <summary>
/// No object of that name exists (or, for a file-backed segment, no such file). Thrown for <see cref="ShmLinkStatus.NotFound"/>; a <see cref="FileNotFoundException"/>, so code written for the
/// standard type catches it, and an <see cref="IShmLinkError"/> that carries the library's status.
/// </summary>
public sealed class ShmLinkNotFoundException : FileNotFoundException, IShmLinkError
{
    private readonly Failure _failure;

    internal ShmLinkNotFoundException(Failure failure)
        : base(failure.Message)
    {
        _failure = failure;
    }

    /// <inheritdoc/>
    public ShmLinkStatus Status => _failure.Status;

    /// <inheritdoc/>
    public string NativeMessage => _failure.NativeMessage;

    /// <inheritdoc/>
    public int OsError => _failure.OsError;
}
