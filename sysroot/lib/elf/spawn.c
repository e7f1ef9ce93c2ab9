// mica_spawn: a new process running an ELF executable.
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <mica/calls.h>
#include <mica/elf_loader.h>

static int map_into(void* context, uint64_t address, uint64_t size, uint32_t prot) {
  mica_handle_t process = *(mica_handle_t*)context;
  return mica_vm_allocate(process, (uintptr_t)address, (size_t)size, prot, MICA_VM_FIXED, NULL);
}

static int write_into(void* context, uint64_t address, const void* bytes, size_t size) {
  mica_handle_t process = *(mica_handle_t*)context;
  return mica_vm_write(process, (uintptr_t)address, bytes, size);
}

static size_t count_strings(char* const list[]) {
  size_t n = 0;
  while (list && list[n]) {
    n++;
  }
  return n;
}

// The process name: argv[0]'s last path component.
static const char* name_of(char* const argv[], size_t* length) {
  const char* name = argv && argv[0] ? argv[0] : "program";
  const char* slash = strrchr(name, '/');
  if (slash && slash[1]) {
    name = slash + 1;
  }
  *length = strlen(name);
  return name;
}

// Builds the start-up block, the argv/envp arrays and their strings at the
// top of the child's stack [stack_base, stack_base + stack_size): `image`
// is a local copy of what goes at child address *block_address.
static int build_stack(char* const argv[], char* const envp[], const mica_handle_t handles[],
                       const uint32_t tags[], size_t count, uintptr_t stack_base, size_t stack_size,
                       void** image, size_t* image_size, uintptr_t* block_address) {
  size_t argc = count_strings(argv);
  size_t envc = count_strings(envp);
  size_t strings = 0;
  for (size_t i = 0; i < argc; i++) {
    strings += strlen(argv[i]) + 1;
  }
  for (size_t i = 0; i < envc; i++) {
    strings += strlen(envp[i]) + 1;
  }
  size_t pointers = (argc + 1 + envc + 1) * sizeof(char*);
  size_t block = (sizeof(struct mica_startup) + 15) & ~(size_t)15;
  size_t total = (block + pointers + strings + 15) & ~(size_t)15;
  // Leave most of the stack to the program.
  if (total > stack_size / 2) {
    return -E2BIG;
  }
  uintptr_t base = stack_base + stack_size - total;  // 16-byte aligned
  char* local = calloc(1, total);
  if (!local) {
    return -ENOMEM;
  }
  struct mica_startup* s = (struct mica_startup*)local;
  char** child_argv = (char**)(local + block);
  char** child_envp = child_argv + argc + 1;
  char* text = (char*)(child_envp + envc + 1);
  uintptr_t text_address = base + (uintptr_t)(text - local);
  s->magic = MICA_STARTUP_MAGIC;
  s->argc = (uint32_t)argc;
  s->argv = (char**)(base + block);
  s->envp = (char**)(base + block + (argc + 1) * sizeof(char*));
  s->handle_count = (uint32_t)count;
  for (size_t i = 0; i < count; i++) {
    s->handles[i] = handles[i];
    s->handle_tags[i] = tags[i];
  }
  s->stack_base = stack_base;
  s->stack_size = stack_size;
  for (size_t i = 0; i < argc + envc; i++) {
    const char* str = i < argc ? argv[i] : envp[i - argc];
    size_t n = strlen(str) + 1;
    memcpy(text, str, n);
    char** slot = i < argc ? &child_argv[i] : &child_envp[i - argc];
    *slot = (char*)text_address;
    text += n;
    text_address += n;
  }
  *image = local;
  *image_size = total;
  *block_address = base;
  return 0;
}

int mica_spawn(const void* elf, size_t size, char* const argv[], char* const envp[],
               const mica_handle_t handles[], const uint32_t tags[], size_t count,
               mica_handle_t* process_out, enum mica_elf_error* elf_error) {
  return mica_spawn_prepared(elf, size, argv, envp, handles, tags, count, NULL, NULL, process_out,
                             elf_error);
}

int mica_spawn_prepared(const void* elf, size_t size, char* const argv[], char* const envp[],
                        const mica_handle_t handles[], const uint32_t tags[], size_t count,
                        int (*prepare)(void* context, mica_handle_t process), void* context,
                        mica_handle_t* process_out, enum mica_elf_error* elf_error) {
  if (count > MICA_STARTUP_MAX_HANDLES) {
    return -EINVAL;
  }
  struct mica_elf_image image;
  enum mica_elf_error error =
      mica_elf_parse(elf, size, MICA_ELF_MACHINE_NATIVE, MICA_USER_LIMIT, &image);
  if (elf_error) {
    *elf_error = error;
  }
  if (error != MICA_ELF_OK) {
    return -ENOEXEC;
  }
  size_t name_length;
  const char* name = name_of(argv, &name_length);
  mica_handle_t process;
  int status = mica_process_create(name, name_length, &process);
  if (status < 0) {
    return status;
  }
  void* stack_image = NULL;
  struct mica_elf_loader_ops ops = {map_into, write_into, &process};
  error = mica_elf_load(elf, size, &image, &ops, &status);
  if (elf_error) {
    *elf_error = error;
  }
  if (error != MICA_ELF_OK) {
    goto fail;
  }

  // The stack, with a guard page below it: the kernel picks the place.
  uintptr_t guard;
  status = mica_vm_allocate(process, 0, MICA_SPAWN_STACK_SIZE + MICA_PAGE_SIZE,
                            MICA_PROT_READ | MICA_PROT_WRITE, 0, &guard);
  if (status < 0) {
    goto fail;
  }
  if (mica_vm_protect(process, guard, MICA_PAGE_SIZE, 0) < 0) {
    // No inaccessible mappings: leave a hole instead.
    status = mica_vm_free(process, guard, MICA_PAGE_SIZE);
    if (status < 0) {
      goto fail;
    }
  }
  uintptr_t stack_base = guard + MICA_PAGE_SIZE;
  // The handles move into the child; the block lists their values there.
  mica_handle_t granted[MICA_STARTUP_MAX_HANDLES];
  for (size_t i = 0; i < count; ++i) {
    status = mica_handle_grant(process, handles[i], MICA_RIGHTS_ALL, &granted[i]);
    if (status < 0) {
      goto fail;
    }
  }
  size_t stack_image_size;
  uintptr_t block;
  status = build_stack(argv, envp, granted, tags, count, stack_base, MICA_SPAWN_STACK_SIZE,
                       &stack_image, &stack_image_size, &block);
  if (status < 0) {
    goto fail;
  }
  status = mica_vm_write(process, block, stack_image, stack_image_size);
  if (status < 0) {
    goto fail;
  }
  free(stack_image);
  stack_image = NULL;

  if (prepare) {
    status = prepare(context, process);
    if (status < 0) {
      goto fail;
    }
  }
  mica_handle_t thread;
  status = mica_thread_create(process, (uintptr_t)image.entry, block, block, 0, &thread);
  if (status < 0) {
    goto fail;
  }
  mica_handle_close(thread);
  *process_out = process;
  return 0;

fail:
  free(stack_image);
  mica_process_kill(process, -1);
  mica_handle_close(process);
  if (error != MICA_ELF_OK && error != MICA_ELF_MAP_FAILED && error != MICA_ELF_WRITE_FAILED) {
    return -ENOEXEC;
  }
  return status < 0 ? status : -ENOEXEC;
}
