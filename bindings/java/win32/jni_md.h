/* jni_md.h for the mingw-w64 build of the Java binding's JNI wrapper (shmlink_java.dll).
 * The host JDK ships only its own platform's jni_md.h; this is the Windows one's content:
 * exports are dllexport, JNICALL is __stdcall (ignored on x64), jint is 32 bits and jlong 64. */
#ifndef _JAVASOFT_JNI_MD_H_
#define _JAVASOFT_JNI_MD_H_

#define JNIEXPORT __declspec(dllexport)
#define JNIIMPORT __declspec(dllimport)
#define JNICALL __stdcall

typedef int jint;
typedef long long jlong;
typedef signed char jbyte;

#endif
