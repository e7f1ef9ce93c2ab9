// A file system served by another process (the ext2 server) over the
// MICA_FS_* protocol of <mica/protocol.h>, as a VFS FileSystem.
//
// The server is found by name in the router's registry. When it dies (a
// call fails), this incarnation ends: instance() changes, what was open
// fails with -EIO, and the next request looks the name up again, waiting up
// to 3 s for the router to restart it. Requests that change nothing
// (lookup, stat, readlink, readdir) are retried on the new server; the
// others fail with -EIO, since the dead one may have done part of them.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <mica/syscall.h>

#include "filesystem.h"

namespace vfs {

class RemoteFs final : public FileSystem {
 public:
  // Connects to `service` once (no waiting); nullptr if it is not
  // registered or does not answer.
  static RemoteFs* connect(const char* service, const char* name);

  const char* name() const override { return name_; }
  uint64_t root() const override { return root_; }
  int lookup(uint64_t dir, const char* name, size_t length, uint64_t* out) override;
  int lookup_node(uint64_t dir, const char* name, size_t length, uint64_t* out,
                  uint32_t* mode) override;
  int stat(uint64_t ino, NodeInfo* out) override;
  long read(uint64_t ino, uint64_t offset, void* buffer, size_t size) override;
  long write(uint64_t ino, uint64_t offset, const void* data, size_t size) override;
  int truncate(uint64_t ino, uint64_t size) override;
  int create(uint64_t dir, const char* name, size_t length, uint32_t mode, uint64_t* out) override;
  int mkdir(uint64_t dir, const char* name, size_t length, uint32_t mode, uint64_t* out) override;
  int unlink(uint64_t dir, const char* name, size_t length) override;
  int rmdir(uint64_t dir, const char* name, size_t length) override;
  int rename(uint64_t from_dir, const char* from, size_t from_length, uint64_t to_dir,
             const char* to, size_t to_length) override;
  int readdir(uint64_t dir, uint64_t* cookie, DirEntry* out) override;
  int symlink(uint64_t dir, const char* name, size_t length, const char* target,
              size_t target_length, uint64_t* out) override;
  int readlink(uint64_t ino, char* buffer, size_t size) override;
  int link(uint64_t ino, uint64_t dir, const char* name, size_t length) override;
  int sync(bool final) override;
  void opened(uint64_t ino) override;
  void closed(uint64_t ino) override;
  uint64_t instance() const override { return instance_; }

 private:
  RemoteFs(const char* service, const char* name, mica_handle_t endpoint);
  // Sends `m` (label, words, payload set by the caller) and returns the
  // reply's words[0]; -EIO if the server is gone. `idempotent`: retried once
  // on a restarted server.
  long call(mica_message* m, bool idempotent);
  bool connected();
  // A request naming `name` (`length` bytes) in directory `dir`, with a
  // second string after it (rename, symlink) if `second` is not null.
  long named(uintptr_t label, uint64_t dir, const char* name, size_t length, uintptr_t word1,
             const char* second, size_t second_length, uintptr_t* ino_out);

  const char* service_;
  char name_[16];
  mica_handle_t endpoint_;
  uint64_t root_ = 0;
  uint64_t instance_ = 1;
  bool gave_up_ = false;  // the last wait for the server ended without it
};

}  // namespace vfs
