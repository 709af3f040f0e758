// The two CRC32C implementations behind libs/common/crc32c.h, exposed so tests and benchmarks can
// check and measure each one directly. Each `...Extend(crc, data, size)` takes a finalized CRC of the
// preceding bytes (0 for none) and returns the finalized CRC including `data`.
#pragma once

#include <cstddef>
#include <cstdint>

namespace eddy::common::internal {

// Crc32cPortableExtend is the table-driven slicing-by-8 implementation; it runs on any CPU.
uint32_t Crc32cPortableExtend(uint32_t crc, const uint8_t* data, size_t size);

// Crc32cSse42Available reports whether this CPU supports the SSE4.2 crc32 instruction.
bool Crc32cSse42Available();

// Crc32cSse42Extend uses the SSE4.2 crc32 instruction with three interleaved streams.
// REQUIRES: Crc32cSse42Available().
uint32_t Crc32cSse42Extend(uint32_t crc, const uint8_t* data, size_t size);

}  // namespace eddy::common::internal
