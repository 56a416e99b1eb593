/* shmlink_csharp.i - how the C ABI crosses into C# (included by ../shmlink.i under SWIGCSHARP).
 *
 * The generated classes are internal: the public API is the hand-written ShmLink namespace
 * in this folder. Every mapping here is blittable or UTF-8, so a call costs one P/Invoke and
 * no allocation on the hot paths (set, wait, wait-any, release, channel send and receive). */

%include <typemaps.i>

/* Internal generated classes; unsafe because the handle array crosses as a pointer. */
%pragma(csharp) moduleclassmodifiers="internal static unsafe class"
%pragma(csharp) imclassclassmodifiers="internal unsafe class"
%typemap(csclassmodifiers) SWIGTYPE "internal class"

/* Constants as C# literals, not native getters. */
%csconst(1);

/* Outputs become `out` parameters. */
%apply unsigned long long *OUTPUT { shmlink_handle *, uint64_t * };
%apply unsigned int *OUTPUT { uint32_t * };

/* void** out_address: the mapped address as an IntPtr. */
%typemap(ctype) void ** "void **"
%typemap(imtype) void ** "out global::System.IntPtr"
%typemap(cstype) void ** "out global::System.IntPtr"
%typemap(csin) void ** "out $csinput"
%typemap(in) void ** %{ $1 = $input; %}

/* const void** out_data (shmlink_channel_peek): the peeked message's address as an IntPtr. */
%typemap(ctype) const void ** "const void **"
%typemap(imtype) const void ** "out global::System.IntPtr"
%typemap(cstype) const void ** "out global::System.IntPtr"
%typemap(csin) const void ** "out $csinput"
%typemap(in) const void ** %{ $1 = ($1_ltype)$input; %}

/* The message bytes of shmlink_channel_send / _receive cross as pointers, so callers pass a
 * pinned span (fixed) without a copy or an allocation. */
%typemap(ctype) const void *data, void *buffer, void *address "void *"
%typemap(imtype) const void *data, void *buffer, void *address "void*"
%typemap(cstype) const void *data, void *buffer, void *address "void*"
%typemap(csin) const void *data, void *buffer, void *address "$csinput"
%typemap(in) const void *data, void *buffer, void *address %{ $1 = ($1_ltype)$input; %}

/* The message arrays of the batch calls cross as pointers to Channel.Batch.cs's blittable
 * NativeMessage, laid out as shmlink_channel_message, so callers stackalloc them. */
%typemap(ctype) const shmlink_channel_message *messages, shmlink_channel_message *messages "void *"
%typemap(imtype) const shmlink_channel_message *messages, shmlink_channel_message *messages "void*"
%typemap(cstype) const shmlink_channel_message *messages, shmlink_channel_message *messages "void*"
%typemap(csin) const shmlink_channel_message *messages, shmlink_channel_message *messages "$csinput"
%typemap(in) const shmlink_channel_message *messages, shmlink_channel_message *messages %{ $1 = ($1_ltype)$input; %}

/* The handle array of shmlink_wait_any crosses as a pointer, so callers can stackalloc it. */
%typemap(ctype) const shmlink_handle *handles "const unsigned long long *"
%typemap(imtype) const shmlink_handle *handles "ulong*"
%typemap(cstype) const shmlink_handle *handles "ulong*"
%typemap(csin) const shmlink_handle *handles "$csinput"
%typemap(in) const shmlink_handle *handles %{ $1 = ($1_ltype)$input; %}

/* Strings are UTF-8 both ways (the default would be the ANSI code page on Windows). Returned
 * strings are static or thread-local in the library: read them, never free them. */
%typemap(ctype, out="const char *") const char * "const char *"
%typemap(imtype,
         inattributes="[global::System.Runtime.InteropServices.MarshalAs(global::System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)]",
         out="global::System.IntPtr") const char * "string"
%typemap(cstype) const char * "string"
%typemap(csin) const char * "$csinput"
%typemap(in) const char * %{ $1 = ($1_ltype)$input; %}
%typemap(out) const char * %{ $result = $1; %}
%typemap(csout, excode=SWIGEXCODE) const char * {
    string ret = global::System.Runtime.InteropServices.Marshal.PtrToStringUTF8($imcall) ?? "";$excode
    return ret;
  }
