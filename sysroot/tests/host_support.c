// What the host build of libc needs from the parts not built for the host:
// errno (thread.c on a target).
int* __mica_errno_location(void) {
  static _Thread_local int value;
  return &value;
}
