#include "libs/common/crc32c.h"

#include <array>
#include <cstring>

#include "libs/common/internal/crc32c_impl.h"

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace eddy::common {
namespace internal {
namespace {

constexpr uint32_t kPoly = 0x82F63B78;  // Reflected Castagnoli polynomial.

using Table = std::array<std::array<uint32_t, 256>, 8>;

// kSlicingTables[k][b] is the CRC register update for byte b followed by k zero bytes.
constexpr Table MakeSlicingTables() {
  Table t{};
  for (uint32_t n = 0; n < 256; ++n) {
    uint32_t crc = n;
    for (int k = 0; k < 8; ++k) crc = (crc & 1) ? (crc >> 1) ^ kPoly : crc >> 1;
    t[0][n] = crc;
  }
  for (uint32_t n = 0; n < 256; ++n) {
    uint32_t crc = t[0][n];
    for (int k = 1; k < 8; ++k) {
      crc = t[0][crc & 0xFF] ^ (crc >> 8);
      t[k][n] = crc;
    }
  }
  return t;
}
constexpr Table kSlicingTables = MakeSlicingTables();

inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;  // Little-endian hosts only (x86-64, aarch64 as Eddy builds them).
}

// --- Zeros operators for combining interleaved streams (after Mark Adler's crc32c.c). ---
// A 32x32 GF(2) matrix, one column per bit, maps a CRC register to the register after feeding it
// a fixed number of zero bits.
using Gf2Matrix = std::array<uint32_t, 32>;

constexpr uint32_t Gf2MatrixTimes(const Gf2Matrix& mat, uint32_t vec) {
  uint32_t sum = 0;
  for (int i = 0; vec != 0; ++i, vec >>= 1) {
    if (vec & 1) sum ^= mat[i];
  }
  return sum;
}

constexpr Gf2Matrix Gf2MatrixSquare(const Gf2Matrix& mat) {
  Gf2Matrix square{};
  for (int n = 0; n < 32; ++n) square[n] = Gf2MatrixTimes(mat, mat[n]);
  return square;
}

// ZerosOperator returns the matrix that advances a CRC register over `len` zero bytes.
constexpr Gf2Matrix ZerosOperator(size_t len) {
  Gf2Matrix op{};  // One zero bit.
  op[0] = kPoly;
  uint32_t row = 1;
  for (int n = 1; n < 32; ++n, row <<= 1) op[n] = row;
  for (int i = 0; i < 3; ++i) op = Gf2MatrixSquare(op);  // 8 zero bits: one byte.
  Gf2Matrix result{};
  bool have_result = false;
  while (len != 0) {
    if (len & 1) {
      if (!have_result) {
        result = op;
        have_result = true;
      } else {
        Gf2Matrix next{};
        for (int n = 0; n < 32; ++n) next[n] = Gf2MatrixTimes(op, result[n]);
        result = next;
      }
    }
    len >>= 1;
    if (len != 0) op = Gf2MatrixSquare(op);
  }
  return result;
}

using ShiftTable = std::array<std::array<uint32_t, 256>, 4>;

constexpr ShiftTable MakeShiftTable(size_t len) {
  const Gf2Matrix op = ZerosOperator(len);
  ShiftTable t{};
  for (uint32_t n = 0; n < 256; ++n) {
    t[0][n] = Gf2MatrixTimes(op, n);
    t[1][n] = Gf2MatrixTimes(op, n << 8);
    t[2][n] = Gf2MatrixTimes(op, n << 16);
    t[3][n] = Gf2MatrixTimes(op, n << 24);
  }
  return t;
}

inline uint32_t Shift(const ShiftTable& t, uint32_t crc) {
  return t[0][crc & 0xFF] ^ t[1][(crc >> 8) & 0xFF] ^ t[2][(crc >> 16) & 0xFF] ^ t[3][crc >> 24];
}

// Block sizes for the three-way interleave: each stream covers kLong (or kShort) bytes, then the
// first two streams are shifted over the following blocks' lengths and xored in.
constexpr size_t kLong = 8192;
constexpr size_t kShort = 256;
[[maybe_unused]] constexpr ShiftTable kLongShift = MakeShiftTable(kLong);
[[maybe_unused]] constexpr ShiftTable kShortShift = MakeShiftTable(kShort);

}  // namespace

uint32_t Crc32cPortableExtend(uint32_t crc, const uint8_t* data, size_t size) {
  const auto& t = kSlicingTables;
  uint32_t c = ~crc;
  while (size != 0 && (reinterpret_cast<uintptr_t>(data) & 7) != 0) {
    c = t[0][(c ^ *data++) & 0xFF] ^ (c >> 8);
    --size;
  }
  while (size >= 8) {
    const uint64_t word = Load64(data) ^ c;
    c = t[7][word & 0xFF] ^ t[6][(word >> 8) & 0xFF] ^ t[5][(word >> 16) & 0xFF] ^
        t[4][(word >> 24) & 0xFF] ^ t[3][(word >> 32) & 0xFF] ^ t[2][(word >> 40) & 0xFF] ^
        t[1][(word >> 48) & 0xFF] ^ t[0][word >> 56];
    data += 8;
    size -= 8;
  }
  while (size != 0) {
    c = t[0][(c ^ *data++) & 0xFF] ^ (c >> 8);
    --size;
  }
  return ~c;
}

#if defined(__x86_64__)

bool Crc32cSse42Available() {
  static const bool available = __builtin_cpu_supports("sse4.2");
  return available;
}

namespace {

// Three streams over consecutive blocks of `block` bytes each, repeated while 3 blocks remain.
__attribute__((target("sse4.2"))) inline uint64_t Interleave3(uint64_t crc0, const uint8_t*& next,
                                                              size_t& size, size_t block,
                                                              const ShiftTable& shift) {
  while (size >= 3 * block) {
    uint64_t crc1 = 0;
    uint64_t crc2 = 0;
    const uint8_t* const end = next + block;
    do {
      crc0 = _mm_crc32_u64(crc0, Load64(next));
      crc1 = _mm_crc32_u64(crc1, Load64(next + block));
      crc2 = _mm_crc32_u64(crc2, Load64(next + 2 * block));
      next += 8;
    } while (next < end);
    crc0 = Shift(shift, static_cast<uint32_t>(crc0)) ^ crc1;
    crc0 = Shift(shift, static_cast<uint32_t>(crc0)) ^ crc2;
    next += 2 * block;
    size -= 3 * block;
  }
  return crc0;
}

}  // namespace

__attribute__((target("sse4.2"))) uint32_t Crc32cSse42Extend(uint32_t crc, const uint8_t* data,
                                                             size_t size) {
  const uint8_t* next = data;
  uint64_t crc0 = ~crc;
  while (size != 0 && (reinterpret_cast<uintptr_t>(next) & 7) != 0) {
    crc0 = _mm_crc32_u8(static_cast<uint32_t>(crc0), *next++);
    --size;
  }
  crc0 = Interleave3(crc0, next, size, kLong, kLongShift);
  crc0 = Interleave3(crc0, next, size, kShort, kShortShift);
  while (size >= 8) {
    crc0 = _mm_crc32_u64(crc0, Load64(next));
    next += 8;
    size -= 8;
  }
  while (size != 0) {
    crc0 = _mm_crc32_u8(static_cast<uint32_t>(crc0), *next++);
    --size;
  }
  return ~static_cast<uint32_t>(crc0);
}

#else

bool Crc32cSse42Available() { return false; }

uint32_t Crc32cSse42Extend(uint32_t crc, const uint8_t* data, size_t size) {
  return Crc32cPortableExtend(crc, data, size);
}

#endif

}  // namespace internal

namespace {

using ExtendFn = uint32_t (*)(uint32_t, const uint8_t*, size_t);

ExtendFn ChooseExtend() {
  return internal::Crc32cSse42Available() ? &internal::Crc32cSse42Extend
                                          : &internal::Crc32cPortableExtend;
}

}  // namespace

uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t size) {
  static const ExtendFn extend = ChooseExtend();
  return extend(crc, static_cast<const uint8_t*>(data), size);
}

uint32_t Crc32c(const void* data, size_t size) { return Crc32cExtend(0, data, size); }

uint32_t Crc32c(std::span<const uint8_t> data) { return Crc32cExtend(0, data.data(), data.size()); }

}  // namespace eddy::common
