#!/bin/sh
# Runs the SmallShm cases of shmlink_tests (tests/small_shm_test.cpp) in a private mount
# namespace whose /dev/shm is a tmpfs of 64 KiB, so that they can fill it without touching
# the machine's /dev/shm. Where that namespace cannot be made (no unshare, no permission to
# unshare or mount: it takes root or CAP_SYS_ADMIN) this fails with a message, never passes.
#
#   small_shm.sh PATH_TO_SHMLINK_TESTS
tests=$1
size=65536
if [ -z "$tests" ] || [ ! -x "$tests" ]; then
  echo "small_shm.sh: no shmlink_tests at '$tests'" >&2
  exit 2
fi
if ! command -v unshare >/dev/null 2>&1; then
  echo "small_shm.sh: FAILED: unshare(1) is missing, so the small /dev/shm tests cannot run" >&2
  exit 1
fi
if ! unshare -m --propagation private true; then
  echo "small_shm.sh: FAILED: cannot make a private mount namespace (unshare -m needs root or CAP_SYS_ADMIN)" >&2
  exit 1
fi
exec unshare -m --propagation private sh -c '
  if ! mount -t tmpfs -o size=$1,mode=1777 tmpfs /dev/shm; then
    echo "small_shm.sh: FAILED: cannot mount a tmpfs over /dev/shm in the private namespace" >&2
    exit 1
  fi
  SHMLINK_TEST_SMALL_SHM=$1 exec "$0" --gtest_filter="SmallShm.*"
' "$tests" "$size"
