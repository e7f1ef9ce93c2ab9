// <sys/wait.h>
#pragma once

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WNOHANG 1
#define WEXITSTATUS(s) (((s)&0xff00) >> 8)
#define WTERMSIG(s) ((s)&0x7f)
#define WIFEXITED(s) (WTERMSIG(s) == 0)
#define WIFSIGNALED(s) (WTERMSIG(s) != 0)

pid_t waitpid(pid_t pid, int* status, int options);
pid_t wait(int* status);

#ifdef __cplusplus
}
#endif
