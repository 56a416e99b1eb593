using System;
using ShmLink.Native;

namespace ShmLink;

/// <summary>Facts about the loaded native library.</summary>
public static class ShmLinkLibrary
{
    /// <summary>The version of the loaded native library (MAJOR.MINOR.PATCH).</summary>
    public static Version Version
    {
        get
        {
            uint number = shmlink.version_number();
            return new Version((int)(number / 10000), (int)(number / 100 % 100), (int)(number % 100));
        }
    }

    /// <summary>The version of the loaded native library as text, for example "1.1.0".</summary>
    public static string VersionString => shmlink.version_string();

    /// <summary>The version of the C header this binding was generated from; the loaded library
    /// must have the same major version.</summary>
    public static Version BindingVersion { get; } =
        new(shmlink.SHMLINK_VERSION_MAJOR, shmlink.SHMLINK_VERSION_MINOR, shmlink.SHMLINK_VERSION_PATCH);

    /// <summary>The granularity of mapping offsets on this system (the page size on Linux, 64 KiB on
    /// Windows). Informational only: <see cref="Segment.Map"/> accepts any offset.</summary>
    public static long AllocationGranularity => (long)shmlink.allocation_granularity();

    /// <summary>The library's name for a status, for example "SHMLINK_ERR_NOT_FOUND".</summary>
    /// <param name="status">Any status value.</param>
    /// <returns>The name, or "SHMLINK_UNKNOWN_STATUS" for a value that is not a status.</returns>
    public static string GetStatusName(ShmLinkStatus status) => shmlink.status_name((int)status);
}
