// <sys/ioctl.h>
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

#define TIOCGWINSZ 0x5413
// mica: the console's MICA_CONSOLE_MODE_* bits (<mica/protocol.h>), passed
// as the integer argument: ioctl(0, MICA_IOCTL_CONSOLE_MODE, bits).
#define MICA_IOCTL_CONSOLE_MODE 0x6d01

struct winsize {
  unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel;
};

int ioctl(int fd, unsigned long request, ...);

#ifdef __cplusplus
}
#endif
