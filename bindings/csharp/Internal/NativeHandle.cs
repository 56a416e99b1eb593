using System;
using System.Runtime.InteropServices;
using ShmLink.Native;

namespace ShmLink.Internal;

/// <summary>
/// A shmlink handle of any kind. SafeHandle's reference count keeps a handle from being closed
/// while a call on another thread still uses it, and its finalizer closes a handle nobody
/// disposed.
/// </summary>
/// <remarks>
/// shmlink handles are 64-bit values in every process, and an IntPtr is 32 bits wide in an x86
/// one: the value lives in its own field. SafeHandle's handle only marks the handle valid (1) or
/// invalid (0), so that its reference counting and release-once semantics stay as they are.
/// </remarks>
internal sealed class NativeHandle : SafeHandle
{
    private readonly ulong _value;

    internal NativeHandle(ulong value) : base(IntPtr.Zero, ownsHandle: true)
    {
        _value = value;
        SetHandle(value == 0 ? IntPtr.Zero : (IntPtr)1);
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    internal ulong Value => _value;

    protected override bool ReleaseHandle() => shmlink.close(_value) >= 0;
}
