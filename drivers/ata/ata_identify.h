// What a driver needs from an ATA IDENTIFY DEVICE block (256 words, ATA/ATAPI-8
// ACS 7.16): the addressable sector count (LBA28 or LBA48) and the model.
// Hardware-free; unit-tested on the host.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ata {

struct Identity {
  bool lba;          // word 49 bit 9: LBA addressing (required here)
  bool lba48;        // word 83 bit 10: the 48-bit feature set
  uint64_t sectors;  // user-addressable sectors (words 100-103 with LBA48, else 60-61)
  char model[41];    // words 27-46, byte-swapped, trailing spaces removed
};

Identity parse_identify(const uint16_t words[256]);

}  // namespace ata
