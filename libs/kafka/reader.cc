#include "libs/kafka/reader.h"

#include <array>
#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"

namespace eddy::kafka {
namespace {

// Strings are limited to a Java short's range in every encoding (Kafka's Readable.readString).
constexpr int64_t kMaxStringLength = std::numeric_limits<int16_t>::max();

template <typename T>
T LoadBigEndian(const uint8_t* p) {
  using U = std::make_unsigned_t<T>;
  U v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) v = static_cast<U>((v << 8) | p[i]);
  return static_cast<T>(v);
}

}  // namespace

absl::Status Malformed(std::string_view field, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(absl::string_view(field.data(), field.size()),
                                                 ": ", absl::string_view(what.data(), what.size())));
}

absl::Status PrefixError(absl::Status status, std::string_view prefix) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(absl::string_view(prefix.data(), prefix.size()),
                                                  status.message()));
}

absl::Status Reader::Truncated(size_t n, const char* field) const {
  return Malformed(field, absl::StrCat("truncated: need ", n, " bytes at offset ", position(),
                                       ", have ", remaining()));
}

absl::Status Reader::Bool(bool& v, const char* field) {
  if (auto s = Need(1, field); !s.ok()) return s;
  v = *pos_++ != 0;
  return absl::OkStatus();
}

#define EDDY_KAFKA_READ_FIXED(Name, Type)                         \
  absl::Status Reader::Name(Type& v, const char* field) {         \
    if (auto s = Need(sizeof(Type), field); !s.ok()) return s;    \
    v = LoadBigEndian<Type>(pos_);                                \
    pos_ += sizeof(Type);                                         \
    return absl::OkStatus();                                      \
  }
EDDY_KAFKA_READ_FIXED(Int8, int8_t)
EDDY_KAFKA_READ_FIXED(Int16, int16_t)
EDDY_KAFKA_READ_FIXED(Int32, int32_t)
EDDY_KAFKA_READ_FIXED(Int64, int64_t)
EDDY_KAFKA_READ_FIXED(Uint16, uint16_t)
EDDY_KAFKA_READ_FIXED(Uint32, uint32_t)
#undef EDDY_KAFKA_READ_FIXED

absl::Status Reader::Float64(double& v, const char* field) {
  int64_t bits = 0;
  if (auto s = Int64(bits, field); !s.ok()) return s;
  std::memcpy(&v, &bits, sizeof(v));
  return absl::OkStatus();
}

absl::Status Reader::Uuid(common::Uuid& v, const char* field) {
  if (auto s = Need(16, field); !s.ok()) return s;
  std::array<uint8_t, 16> bytes;
  std::memcpy(bytes.data(), pos_, 16);
  pos_ += 16;
  v = common::Uuid::FromBytes(bytes);
  return absl::OkStatus();
}

absl::Status Reader::UnsignedVarint(uint32_t& v, const char* field) {
  uint32_t value = 0;
  for (int i = 0; i < 5; ++i) {
    if (pos_ == end_) return Truncated(1, field);
    const uint8_t b = *pos_++;
    // The fifth byte may carry only the top 4 bits of a 32-bit value.
    if (i == 4 && b > 0x0f) return Malformed(field, "unsigned varint longer than 32 bits");
    value |= static_cast<uint32_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      v = value;
      return absl::OkStatus();
    }
  }
  return Malformed(field, "unsigned varint longer than 32 bits");
}

absl::Status Reader::Varint(int32_t& v, const char* field) {
  uint32_t raw = 0;
  if (auto s = UnsignedVarint(raw, field); !s.ok()) return s;
  v = static_cast<int32_t>((raw >> 1) ^ (~(raw & 1) + 1));
  return absl::OkStatus();
}

absl::Status Reader::Varlong(int64_t& v, const char* field) {
  uint64_t value = 0;
  for (int i = 0; i < 10; ++i) {
    if (pos_ == end_) return Truncated(1, field);
    const uint8_t b = *pos_++;
    if (i == 9 && b > 0x01) return Malformed(field, "varlong longer than 64 bits");
    value |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      v = static_cast<int64_t>((value >> 1) ^ (~(value & 1) + 1));
      return absl::OkStatus();
    }
  }
  return Malformed(field, "varlong longer than 64 bits");
}

absl::Status Reader::ReadLength(bool compact, bool wide, const char* field, int64_t& len) {
  if (compact) {
    uint32_t raw = 0;
    if (auto s = UnsignedVarint(raw, field); !s.ok()) return s;
    len = static_cast<int64_t>(raw) - 1;
  } else if (wide) {
    int32_t raw = 0;
    if (auto s = Int32(raw, field); !s.ok()) return s;
    len = raw;
  } else {
    int16_t raw = 0;
    if (auto s = Int16(raw, field); !s.ok()) return s;
    len = raw;
  }
  if (len < -1) return Malformed(field, absl::StrCat("negative length ", len));
  return absl::OkStatus();
}

absl::Status Reader::ReadCount(bool compact, bool nullable, const char* field, int64_t& count) {
  if (auto s = ReadLength(compact, /*wide=*/true, field, count); !s.ok()) return s;
  if (count < 0 && !nullable) return Malformed(field, "non-nullable array is null");
  if (count > static_cast<int64_t>(remaining())) {
    return Malformed(field, absl::StrCat("array count ", count, " exceeds remaining ",
                                         remaining(), " bytes"));
  }
  return absl::OkStatus();
}

absl::Status Reader::NullableString(std::optional<std::string>& v, bool compact, bool nullable,
                                    const char* field) {
  int64_t len = 0;
  if (auto s = ReadLength(compact, /*wide=*/false, field, len); !s.ok()) return s;
  if (len < 0) {
    if (!nullable) return Malformed(field, "non-nullable string is null");
    v.reset();
    return absl::OkStatus();
  }
  if (len > kMaxStringLength) return Malformed(field, absl::StrCat("string length ", len, " too long"));
  if (auto s = Need(static_cast<size_t>(len), field); !s.ok()) return s;
  v.emplace(reinterpret_cast<const char*>(pos_), static_cast<size_t>(len));
  pos_ += len;
  return absl::OkStatus();
}

absl::Status Reader::String(std::string& v, bool compact, const char* field) {
  std::optional<std::string> tmp;
  if (auto s = NullableString(tmp, compact, /*nullable=*/false, field); !s.ok()) return s;
  v = std::move(*tmp);
  return absl::OkStatus();
}

absl::Status Reader::NullableBytes(std::optional<std::string>& v, bool compact, bool nullable,
                                   const char* field) {
  int64_t len = 0;
  if (auto s = ReadLength(compact, /*wide=*/true, field, len); !s.ok()) return s;
  if (len < 0) {
    if (!nullable) return Malformed(field, "non-nullable bytes are null");
    v.reset();
    return absl::OkStatus();
  }
  if (auto s = Need(static_cast<size_t>(len), field); !s.ok()) return s;
  v.emplace(reinterpret_cast<const char*>(pos_), static_cast<size_t>(len));
  pos_ += len;
  return absl::OkStatus();
}

absl::Status Reader::Bytes(std::string& v, bool compact, const char* field) {
  std::optional<std::string> tmp;
  if (auto s = NullableBytes(tmp, compact, /*nullable=*/false, field); !s.ok()) return s;
  v = std::move(*tmp);
  return absl::OkStatus();
}

absl::Status Reader::Span(size_t n, std::span<const uint8_t>& out, const char* field) {
  if (auto s = Need(n, field); !s.ok()) return s;
  out = {pos_, n};
  pos_ += n;
  return absl::OkStatus();
}

}  // namespace eddy::kafka
