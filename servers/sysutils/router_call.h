// The router requests the system programs make (<mica/protocol.h>).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <mica/calls.h>
#include <mica/protocol.h>
#include <mica/startup.h>

// Calls the router with `label` and words w0, w1; a reply payload goes to
// `buffer`. Returns the reply's words[0] (>= 0, or a negated errno), or the
// IPC error; *got: the payload's size.
static inline intptr_t router_call(uintptr_t label, uintptr_t w0, uintptr_t w1, void* buffer,
                                   size_t size, size_t* got) {
  mica_handle_t router = mica_startup_handle(MICA_STARTUP_ROUTER);
  if (router == MICA_HANDLE_INVALID) return -5;  // -EIO: started without a router
  struct mica_message m = {0};
  m.label = label;
  m.words[0] = w0;
  m.words[1] = w1;
  m.buffer = buffer;
  m.buffer_size = size;
  int r = mica_ipc_call_message(router, &m);
  if (r < 0) return r;
  if (got) *got = m.data_size;
  return (intptr_t)m.words[0];
}
