/* The library's version, included by shmlink.h. Checked in, so the headers work straight from
 * include/; CMake refuses to configure when project(VERSION) in CMakeLists.txt says otherwise,
 * so a release bumps both (docs/versioning.md). */
#ifndef SHMLINK_VERSION_H
#define SHMLINK_VERSION_H

#define SHMLINK_VERSION_MAJOR 1
#define SHMLINK_VERSION_MINOR 4
#define SHMLINK_VERSION_PATCH 0

#endif /* SHMLINK_VERSION_H */
