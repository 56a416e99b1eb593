// shmlink.h alone, compiled as C++17: the same program as shmlink_h.c.
#include "shmlink_h.c"
