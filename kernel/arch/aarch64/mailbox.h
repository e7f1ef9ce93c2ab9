// The VideoCore mailbox property channel (channel 8): the ARM hands the
// firmware a buffer of request tags and the firmware answers in place.
#pragma once

#include <stdint.h>

namespace aarch64::mailbox {

// Sends the property buffer at `buffer` (a kernel virtual address in the
// direct map or the image, 16-byte aligned, physically below 1 GiB, its first
// word the size in bytes) and waits for the firmware's answer. Returns false
// if the buffer cannot be sent or no answer arrives in time. The buffer's
// contents are then the firmware's reply (check its response code).
bool property_call(uint32_t* buffer);

}  // namespace aarch64::mailbox
