// reboot and poweroff (the same program, built twice): the router syncs the
// file systems, stops the servers and then the machine.
#include <stdio.h>
#include <string.h>

#include "router_call.h"

#ifndef POWER_OFF
#define POWER_OFF 0
#endif

int main(void) {
  intptr_t r = router_call(MICA_ROUTER_SHUTDOWN, POWER_OFF, 0, NULL, 0, NULL);
  // Only an error comes back: on success the machine stops first.
  fprintf(stderr, "%s: %s\n", POWER_OFF ? "poweroff" : "reboot", strerror(r < 0 ? (int)-r : 5));
  return 1;
}
