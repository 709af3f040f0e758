// CRC32C (Castagnoli polynomial 0x1EDC6F41, reflected 0x82F63B78) as used by Kafka RecordBatch v2
// (the `crc` field covers attributes..end of batch), iSCSI (RFC 3720) and ext4. Values are the
// standard finalized CRC: Crc32c("123456789") == 0xE3069283, Crc32c of nothing == 0. No masking.
// The implementation picks, once per process, SSE4.2 (three interleaved crc32q streams combined by
// precomputed shift tables, several GB/s) when the CPU has it, else a portable slicing-by-8 table.
// Both return identical results. Thread-safety: all functions are pure and safe to call concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace eddy::common {

// Crc32c returns the CRC32C of `data`.
uint32_t Crc32c(std::span<const uint8_t> data);
uint32_t Crc32c(const void* data, size_t size);

// Crc32cExtend returns the CRC32C of A followed by `data`, given crc == Crc32c(A). So
// Crc32cExtend(Crc32c(a), b) == Crc32c(a + b), and Crc32cExtend(0, b) == Crc32c(b).
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t size);

}  // namespace eddy::common
