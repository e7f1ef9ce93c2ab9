// The smallest mica program: proves crt0, libc and the link templates.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  printf("hello from %s (argc %d)\n", argc > 0 ? argv[0] : "hello", argc);
  return EXIT_SUCCESS;
}
