// block_service: what every mica block driver shares above its hardware.
// It serves MICA_BLOCK_* (<mica/protocol.h>) for one disk on an endpoint,
// registers that endpoint with the router as MICA_SERVICE_BLOCK, and runs
// the drivers' `selftest`: a client thread that checks the protocol's
// bounds, reads the MBR and an ext2 superblock, writes and reads back
// sectors nothing uses (restoring them), and measures throughput, all
// through IPC to the serving thread.
//
// TODO: this belongs in a drivers/block library of its own (it is not ATA
// code); it waits for that directory.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace block {

// A disk as the service drives it, from one thread (the one in serve()).
// Requests reach it checked: count in 1..kMaxTransferSectors, all sectors
// on the disk; buffers hold count * kSectorSize bytes. The calls return 0,
// or -EIO when the device reports an error or does not answer in time.
class Device {
 public:
  virtual uint64_t sector_count() const = 0;
  virtual int read(uint64_t first, uint32_t count, void* buffer) = 0;
  virtual int write(uint64_t first, uint32_t count, const void* data) = 0;
  // Everything written is on the medium when it returns.
  virtual int flush() = 0;

 protected:
  ~Device() = default;
};

struct ServeOptions {
  const char* name;  // the driver, for messages ("ata")
  bool selftest;     // run the self-test instead of registering; exit with its result
};

// Serves `device` on a new endpoint until the process ends: registered with
// the router when the process was started with one (and not self-testing).
// With `selftest`, the process exits with 0 when the self-test passes and 1
// when it fails. Returns only if the service cannot start (an exit code):
// 0 when another driver serves MICA_SERVICE_BLOCK already (a machine with
// disks of two kinds), so that the router does not restart this one.
int serve(Device& device, const ServeOptions& options);

// A driver argument "key=value": the value as a number (decimal, or 0x...
// for hexadecimal; <mica/parse_number.h>) in *value; false if `argument`
// is not `key` or its value is not a number.
bool parse_number(const char* argument, const char* key, unsigned long long* value);

}  // namespace block
