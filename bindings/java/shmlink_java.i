/* shmlink_java.i - how the C ABI crosses into Java (included by ../shmlink.i under SWIGJAVA).
 *
 * The generated classes (shmlink, shmlinkJNI) are package-private in org.shmlink: the public
 * API is the hand-written org.shmlink layer in src/. Handles and sizes cross as long, 32-bit
 * values as int, outputs as one-element arrays, strings as UTF-8 bytes (JNI's own string
 * functions speak modified UTF-8), and the mapped address as a long that one hand-written
 * function turns into a direct ByteBuffer (NewDirectByteBuffer: no copy). */

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

/* shmlink_wait -> wait_one: wait(long, int) would clash with Object.wait. */
%rename(wait_one) shmlink_wait;
