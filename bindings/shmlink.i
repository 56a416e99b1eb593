/* shmlink.i - the SWIG interface shared by every language binding.
 *
 * SWIG reads the public C header itself, so the bindings can never drift from the contract.
 * What differs per language (how out-parameters, strings and handle arrays cross) lives in
 * that language's folder beside this file and is included below; the generated layer stays
 * low level and each binding puts its idiomatic, hand-written API on top of it. */
%module shmlink

%{
#include <shmlink/shmlink.h>
%}

%include <stdint.i>

#if defined(SWIGCSHARP)
%include "csharp/shmlink_csharp.i"
#endif
#if defined(SWIGJAVA)
%include "java/shmlink_java.i"
#endif

/* shmlink_segment_create -> segment_create: the module (class) name already says shmlink. */
%rename("%(strip:[shmlink_])s") "";

/* The function table is for C callers that load the library at run time; bindings link the
 * functions directly. */
%ignore shmlink_api;
%ignore shmlink_get_api;
/* Function-like macros have no meaning outside C. */
%ignore SHMLINK_SUCCEEDED;
%ignore SHMLINK_FAILED;
/* Channel batches (issue 16): their message struct would cross as a public wrapper of raw
 * pointers, so it never crosses. C# passes its own blittable copy of it as a pointer
 * (csharp/shmlink_csharp.i; Channel.Batch.cs) to the copying batch calls; Java calls them
 * through two helpers of its own (java/shmlink_java.i). The zero-copy batch calls have no
 * form in either yet. */
%ignore shmlink_channel_message;
#ifndef SWIGCSHARP
%ignore shmlink_channel_send_batch;
%ignore shmlink_channel_receive_batch;
#endif
%ignore shmlink_channel_reserve_batch;
%ignore shmlink_channel_commit_batch;
%ignore shmlink_channel_peek_batch;
%ignore shmlink_channel_consume_batch;
/* The inspection calls (for the shmlink command) have no C# or Java form yet either. */
%ignore shmlink_object_description;
%ignore shmlink_object_peer;
%ignore shmlink_object_list;
%ignore shmlink_object_describe;
%ignore shmlink_object_remove;
%ignore shmlink_object_collect;
/* Handing objects to other processes: the token is an output buffer (char*) and the free range
 * a void**, which SWIG would make raw; ignored until C# and Java get forms of their own. */
%ignore shmlink_handle_share;
%ignore shmlink_handle_unshare;
%ignore shmlink_handle_from_token;
%ignore shmlink_find_free_range;

#define SHMLINK_API
#define SHMLINK_CALL
%include <shmlink/shmlink_version.h>
%include <shmlink/shmlink.h>
