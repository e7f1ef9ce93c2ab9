// <sys/ioctl.h>
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

#define TIOCGWINSZ 0x5413

struct winsize {
  unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel;
};

int ioctl(int fd, unsigned long request, ...);

#ifdef __cplusplus
}
#endif
