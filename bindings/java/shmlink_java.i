/* shmlink_java.i - how the C ABI crosses into Java (included by ../shmlink.i under SWIGJAVA).
 *
 * The generated classes (shmlink, shmlinkJNI) are package-private in org.shmlink: the public
 * API is the hand-written org.shmlink layer in src/. Handles and sizes cross as long, 32-bit
 * values as int, outputs as one-element arrays, strings as UTF-8 bytes (JNI's own string
 * functions speak modified UTF-8), and addresses (a mapped view, a channel's reserved or peeked
 * message, a direct buffer's bytes) as longs that hand-written functions turn into direct
 * ByteBuffers (NewDirectByteBuffer: no copy) and back. */

%pragma(java) jniclassclassmodifiers="final class"
%pragma(java) moduleclassmodifiers="final class"
%typemap(javaclassmodifiers) SWIGTYPE "final class"
/* The JNI wrapper is loaded by NativeLoader, from the jar, before the first native call. */
%pragma(java) jniclasscode=%{
  static {
    NativeLoader.load();
  }
%}

/* Unsigned C types as Java's signed ones of the same width: handles are opaque, sizes stay
 * below 2^63, and 32-bit flags and counts keep their bits (SHMLINK_INFINITE is -1). */
%apply long long { uint64_t };
%apply int { uint32_t, unsigned int };

/* Outputs (shmlink_handle *, uint64_t *, uint32_t *: every such pointer in the header is an
 * out_* parameter): one-element arrays, or null. */
%define SHMLINK_JAVA_OUTPUT(CTYPE, JNITYPE, JNIARRAY, JAVATYPE, REGION)
%typemap(jni) CTYPE * "JNIARRAY"
%typemap(jtype) CTYPE * "JAVATYPE[]"
%typemap(jstype) CTYPE * "JAVATYPE[]"
%typemap(javain) CTYPE * "$javainput"
%typemap(in) CTYPE * (CTYPE temp = 0) {
  $1 = ($input != NULL && JCALL1(GetArrayLength, jenv, $input) > 0) ? &temp : NULL;
}
%typemap(argout) CTYPE * {
  if ($1 != NULL) {
    JNITYPE value$argnum = (JNITYPE)temp$argnum;
    JCALL4(REGION, jenv, $input, 0, 1, &value$argnum);
  }
}
%enddef
SHMLINK_JAVA_OUTPUT(uint64_t, jlong, jlongArray, long, SetLongArrayRegion)
SHMLINK_JAVA_OUTPUT(uint32_t, jint, jintArray, int, SetIntArrayRegion)

/* void **out_address: the address as a long in a one-element array. */
%typemap(jni) void **out_address "jlongArray"
%typemap(jtype) void **out_address "long[]"
%typemap(jstype) void **out_address "long[]"
%typemap(javain) void **out_address "$javainput"
%typemap(in) void **out_address (void *temp = NULL) {
  $1 = ($input != NULL && JCALL1(GetArrayLength, jenv, $input) > 0) ? &temp : NULL;
}
%typemap(argout) void **out_address {
  if ($1 != NULL) {
    jlong address$argnum = (jlong)(intptr_t)temp$argnum;
    JCALL4(SetLongArrayRegion, jenv, $input, 0, 1, &address$argnum);
  }
}

/* Channels (const void *data, void *buffer: message bytes) and shmlink_release_range (void
 * *address: a kept view's address): the address as a long, taken from a
 * direct ByteBuffer by shmlink_java_buffer_address below (heap arrays cross through
 * shmlink_java_channel_receive_array, or a reservation). The library reads or writes them only
 * during the call. */
%typemap(jni) const void *data, void *buffer, void *address "jlong"
%typemap(jtype) const void *data, void *buffer, void *address "long"
%typemap(jstype) const void *data, void *buffer, void *address "long"
%typemap(javain) const void *data, void *buffer, void *address "$javainput"
%typemap(in) const void *data, void *buffer, void *address %{ $1 = ($1_ltype)(intptr_t)$input; %}

/* void **out_buffer (reserve) and const void **out_data (peek): the address as a long in a
 * one-element array, like out_address; Channel wraps it in a direct ByteBuffer. */
%typemap(jni) void **out_buffer, const void **out_data "jlongArray"
%typemap(jtype) void **out_buffer, const void **out_data "long[]"
%typemap(jstype) void **out_buffer, const void **out_data "long[]"
%typemap(javain) void **out_buffer, const void **out_data "$javainput"
%typemap(in) void **out_buffer (void *temp = NULL), const void **out_data (const void *temp = NULL) {
  $1 = ($input != NULL && JCALL1(GetArrayLength, jenv, $input) > 0) ? &temp : NULL;
}
%typemap(argout) void **out_buffer, const void **out_data {
  if ($1 != NULL) {
    jlong address$argnum = (jlong)(intptr_t)temp$argnum;
    JCALL4(SetLongArrayRegion, jenv, $input, 0, 1, &address$argnum);
  }
}

/* The handle array of shmlink_wait_any: a long[] (at least `count` long; the library checks
 * count). Copied in: JNI may not pin an array across a blocking call. */
%typemap(jni) const shmlink_handle *handles "jlongArray"
%typemap(jtype) const shmlink_handle *handles "long[]"
%typemap(jstype) const shmlink_handle *handles "long[]"
%typemap(javain) const shmlink_handle *handles "$javainput"
%typemap(in) const shmlink_handle *handles (shmlink_handle temp[SHMLINK_MAX_WAIT_OBJECTS]) {
  $1 = NULL;
  if ($input != NULL) {
    jsize length = JCALL1(GetArrayLength, jenv, $input);
    if (length > (jsize)SHMLINK_MAX_WAIT_OBJECTS) length = (jsize)SHMLINK_MAX_WAIT_OBJECTS;
    JCALL4(GetLongArrayRegion, jenv, $input, 0, length, (jlong *)temp);
    $1 = temp;
  }
}
%typemap(argout) const shmlink_handle *handles ""

/* Strings: UTF-8 bytes with a terminating NUL, made and read by Strings in Java. Returned
 * strings are static or thread-local in the library: copied, never freed. */
%typemap(jni) const char * "jbyteArray"
%typemap(jtype) const char * "byte[]"
%typemap(jstype) const char * "String"
%typemap(javain) const char * "Strings.toNative($javainput)"
%typemap(javaout) const char * {
    return Strings.fromNative($jnicall);
  }
%typemap(in) const char * {
  $1 = $input != NULL ? ($1_ltype)JCALL2(GetByteArrayElements, jenv, $input, NULL) : NULL;
  if ($input != NULL && $1 == NULL) return $null;
}
%typemap(freearg) const char * {
  if ($1 != NULL) JCALL3(ReleaseByteArrayElements, jenv, $input, (jbyte *)$1, JNI_ABORT);
}
%typemap(out) const char * {
  jsize length = $1 != NULL ? (jsize)strlen($1) : 0;
  $result = JCALL1(NewByteArray, jenv, length);
  if ($result != NULL && length > 0) JCALL4(SetByteArrayRegion, jenv, $result, 0, length, (const jbyte *)$1);
}

/* The one function not in the C header: a direct ByteBuffer over `length` bytes at `address`
 * (a mapped view). JNI's NewDirectByteBuffer takes up to 2^31 - 1 bytes; View checks that. */
%typemap(in, numinputs=0) JNIEnv *jenv %{ $1 = jenv; %}
%{
#include <string.h>
static jobject shmlink_java_direct_buffer(JNIEnv *jenv, jlong address, jlong length) {
#ifdef __cplusplus
  return jenv->NewDirectByteBuffer((void *)(intptr_t)address, length);
#else
  return (*jenv)->NewDirectByteBuffer(jenv, (void *)(intptr_t)address, length);
#endif
}
%}
jobject shmlink_java_direct_buffer(JNIEnv *jenv, jlong address, jlong length);

/* Two more for channels. shmlink_java_buffer_address: the address of a direct buffer's first
 * byte (not its position's), or 0 for a heap buffer. shmlink_java_channel_receive_array:
 * shmlink_channel_receive (or, if `whole`, shmlink_channel_receive_whole) into bytes
 * [offset, offset + capacity) of a Java array (which may be null when capacity is 0), trying once
 * (timeout 0): the array is pinned (GetPrimitiveArrayCritical), so the call must not block; the
 * binding waits beforehand, with shmlink_wait_any. Channel checks the bounds. */
%{
#ifdef __cplusplus
#define SHMLINK_JNI(function, ...) jenv->function(__VA_ARGS__)
#else
#define SHMLINK_JNI(function, ...) (*jenv)->function(jenv, __VA_ARGS__)
#endif
static jlong shmlink_java_buffer_address(JNIEnv *jenv, jobject buffer) {
  return (jlong)(intptr_t)SHMLINK_JNI(GetDirectBufferAddress, buffer);
}

static jint shmlink_java_channel_receive_array(JNIEnv *jenv, jlong channel, jbyteArray array, jint offset,
                                               jint capacity, jintArray out_length, jboolean whole) {
  uint32_t length = 0;
  shmlink_status status;
  jbyte *elements = NULL;
  if (array != NULL && capacity > 0) {
    elements = (jbyte *)SHMLINK_JNI(GetPrimitiveArrayCritical, array, NULL);
    if (elements == NULL) return SHMLINK_ERR_NO_RESOURCES; /* OutOfMemoryError is pending */
  }
  status = (whole ? shmlink_channel_receive_whole : shmlink_channel_receive)(
      (shmlink_handle)channel, elements != NULL ? elements + offset : NULL, (uint32_t)capacity, &length, 0);
  if (elements != NULL) SHMLINK_JNI(ReleasePrimitiveArrayCritical, array, elements, status >= 0 ? 0 : JNI_ABORT);
  if (out_length != NULL && (status >= 0 || status == SHMLINK_ERR_BUFFER_TOO_SMALL)) {
    jint value = (jint)length;
    SHMLINK_JNI(SetIntArrayRegion, out_length, 0, 1, &value);
  }
  return status;
}
%}
jlong shmlink_java_buffer_address(JNIEnv *jenv, jobject buffer);
jint shmlink_java_channel_receive_array(JNIEnv *jenv, jlong channel, jbyteArray array, jint offset, jint capacity,
                                        jintArray out_length, jboolean whole);

/* Channel batches (Channel.sendBatch / receiveBatch): messages end to end in the bytes at
 * `address` (a direct buffer's) or, if address is 0, in `array` from `offset` (a heap buffer's:
 * pinned, so only with timeout_ms 0, and the binding waits beforehand). At most
 * SHMLINK_JAVA_MAX_BATCH messages a call; Channel checks counts, lengths and bounds.
 * shmlink_java_channel_send_batch: message i is lengths[i] bytes, following message i - 1.
 * shmlink_java_channel_receive_batch: up to `count` messages into `capacity` bytes, each into an
 * equal share of them; then moved together, end to end, with their lengths in `lengths`. A
 * first message longer than a share but not than the whole room is received alone. On
 * BUFFER_TOO_SMALL lengths[0] is the length needed. */
%{
#define SHMLINK_JAVA_MAX_BATCH 256

static jbyte *shmlink_java_batch_bytes(JNIEnv *jenv, jlong address, jbyteArray array, jint offset) {
  jbyte *elements;
  if (address != 0 || array == NULL) return (jbyte *)(intptr_t)address;
  elements = (jbyte *)SHMLINK_JNI(GetPrimitiveArrayCritical, array, NULL);
  return elements != NULL ? elements + offset : NULL;
}

static void shmlink_java_batch_release(JNIEnv *jenv, jlong address, jbyteArray array, jint offset, jbyte *bytes,
                                       jint mode) {
  if (address == 0 && array != NULL && bytes != NULL)
    SHMLINK_JNI(ReleasePrimitiveArrayCritical, array, bytes - offset, mode);
}

static jint shmlink_java_channel_send_batch(JNIEnv *jenv, jlong channel, jlong address, jbyteArray array,
                                            jint offset, jintArray lengths, jint count, jint timeout_ms,
                                            jintArray out_sent) {
  shmlink_channel_message messages[SHMLINK_JAVA_MAX_BATCH];
  jint given[SHMLINK_JAVA_MAX_BATCH];
  uint32_t sent = 0;
  size_t at = 0;
  jint i;
  shmlink_status status;
  jbyte *bytes;
  if (count < 1 || count > SHMLINK_JAVA_MAX_BATCH) return SHMLINK_ERR_INVALID_ARGUMENT;
  SHMLINK_JNI(GetIntArrayRegion, lengths, 0, count, given);
  bytes = shmlink_java_batch_bytes(jenv, address, array, offset);
  if (bytes == NULL && (address != 0 || array != NULL)) return SHMLINK_ERR_NO_RESOURCES;
  for (i = 0; i < count; ++i) {
    messages[i].data = bytes != NULL ? bytes + at : NULL;
    messages[i].length = (uint32_t)given[i];
    messages[i].capacity = 0;
    at += (size_t)given[i];
  }
  status = shmlink_channel_send_batch((shmlink_handle)channel, messages, (uint32_t)count, (uint32_t)timeout_ms,
                                      &sent);
  shmlink_java_batch_release(jenv, address, array, offset, bytes, JNI_ABORT);
  {
    jint value = (jint)sent;
    SHMLINK_JNI(SetIntArrayRegion, out_sent, 0, 1, &value);
  }
  return status;
}

static jint shmlink_java_channel_receive_batch(JNIEnv *jenv, jlong channel, jlong address, jbyteArray array,
                                               jint offset, jint capacity, jintArray lengths, jint count,
                                               jint timeout_ms, jintArray out_received) {
  shmlink_channel_message messages[SHMLINK_JAVA_MAX_BATCH];
  jint found[SHMLINK_JAVA_MAX_BATCH];
  uint32_t received = 0, share, end = 0;
  jint i;
  shmlink_status status;
  jbyte *bytes;
  if (count < 1 || count > SHMLINK_JAVA_MAX_BATCH || capacity < 0) return SHMLINK_ERR_INVALID_ARGUMENT;
  bytes = shmlink_java_batch_bytes(jenv, address, array, offset);
  if (bytes == NULL && (address != 0 || array != NULL)) return SHMLINK_ERR_NO_RESOURCES;
  share = (uint32_t)capacity / (uint32_t)count;
  for (i = 0; i < count; ++i) {
    messages[i].data = bytes != NULL ? bytes + (size_t)i * share : NULL;
    messages[i].length = 0;
    messages[i].capacity = bytes != NULL ? share : 0;
  }
  status = shmlink_channel_receive_batch((shmlink_handle)channel, messages, (uint32_t)count, (uint32_t)timeout_ms,
                                         &received);
  if (status == SHMLINK_ERR_BUFFER_TOO_SMALL && bytes != NULL && messages[0].length <= (uint32_t)capacity) {
    /* Queued and longer than a share: it comes alone (unless another receiver took it). */
    messages[0].capacity = (uint32_t)capacity;
    status = shmlink_channel_receive_batch((shmlink_handle)channel, messages, 1, 0, &received);
  }
  if (status >= 0) {
    for (i = 0; i < (jint)received; ++i) {
      const uint32_t length = messages[i].length;
      if ((jbyte *)messages[i].data != bytes + end) memmove(bytes + end, messages[i].data, length);
      found[i] = (jint)length;
      end += length;
    }
  } else if (status == SHMLINK_ERR_BUFFER_TOO_SMALL) {
    found[0] = (jint)messages[0].length;
  }
  shmlink_java_batch_release(jenv, address, array, offset, bytes, status >= 0 ? 0 : JNI_ABORT);
  if (status >= 0 && received > 0) SHMLINK_JNI(SetIntArrayRegion, lengths, 0, (jsize)received, found);
  if (status == SHMLINK_ERR_BUFFER_TOO_SMALL) SHMLINK_JNI(SetIntArrayRegion, lengths, 0, 1, found);
  {
    jint value = status >= 0 ? (jint)received : 0;
    SHMLINK_JNI(SetIntArrayRegion, out_received, 0, 1, &value);
  }
  return status;
}
%}
jint shmlink_java_channel_send_batch(JNIEnv *jenv, jlong channel, jlong address, jbyteArray array, jint offset,
                                     jintArray lengths, jint count, jint timeout_ms, jintArray out_sent);
jint shmlink_java_channel_receive_batch(JNIEnv *jenv, jlong channel, jlong address, jbyteArray array, jint offset,
                                        jint capacity, jintArray lengths, jint count, jint timeout_ms,
                                        jintArray out_received);

/* shmlink_wait -> wait_one: wait(long, int) would clash with Object.wait. */
%rename(wait_one) shmlink_wait;
