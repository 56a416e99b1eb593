using System;

namespace ShmLink;

/// <summary>Finding the library's status in an exception.</summary>
public static class ShmLinkErrors
{
    /// <summary>The library failure an exception reports: the exception itself if it is an
    /// <see cref="IShmLinkError"/>, else its inner exception if that is one (an
    /// <see cref="System.IO.InvalidDataException"/> for <see cref="ShmLinkStatus.Corrupt"/>), else null.</summary>
    /// <param name="exception">Any exception.</param>
    /// <returns>The failure, or null when the exception is not the library's.</returns>
    public static IShmLinkError? AsShmLinkError(this Exception exception) =>
        exception as IShmLinkError ?? exception.InnerException as IShmLinkError;
}
