// The C++ runtime at work: a static constructor and destructor, a
// thread-safe local static, new/delete and a virtual call.
#include <stdio.h>
#include <string.h>

#include <new>

#include <mica/calls.h>
#include <mica/startup.h>

namespace {

struct Greeter {
  virtual ~Greeter() = default;
  virtual const char* greeting() const = 0;
};

struct Hello final : Greeter {
  const char* greeting() const override { return "hello from C++"; }
};

struct Global {
  Global() { constructed = 42; }
  ~Global() { puts("hello_cxx: static destructor ran"); }
  int constructed = 0;
};

Global global;

int& counter() {
  static int value = static_cast<int>(strlen("four"));
  return value;
}

}  // namespace

int main() {
  Greeter* g = new Hello;
  printf("%s (static constructor %s, local static %d)\n", g->greeting(),
         global.constructed == 42 ? "ran" : "did not run", counter());
  delete g;
  int* many = new (std::nothrow) int[1000];
  printf("hello_cxx: new[] %s\n", many ? "ok" : "failed");
  delete[] many;
  // The ABI's struct names stay usable as types beside the wrappers.
  const mica_startup* startup = mica_startup();
  mica_handle_info info;
  if (startup != nullptr &&
      mica_handle_info(mica_startup_handle(MICA_STARTUP_PROCESS), &info) == 0) {
    printf("hello_cxx: started with %u handles; process koid %llu\n", startup->handle_count,
           static_cast<unsigned long long>(info.koid));
  }
  return 0;
}
