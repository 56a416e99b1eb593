// shmlink_loader.h alone, compiled as C++98 and C++17: the same program as loader.c.
#include "loader.c"
