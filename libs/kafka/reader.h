// Reader is the bounds-checked decoder for Kafka protocol primitives (protocol guide "Protocol
// Primitive Types", KIP-482 for compact forms and tagged fields). Every read checks the remaining
// input first and returns InvalidArgument naming the field instead of over-reading; nothing here
// aborts on malformed input. Generated message code (libs/kafka/codegen) drives a Reader, a Writer
// and a Sizer through one shared `Serde` function per struct, so all three accept the same calls.
//
// Invariant: position() <= size(); a failed read leaves the position unspecified but in bounds.
// Thread-safety: a Reader is a cursor over caller-owned bytes; use one per thread.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "libs/common/uuid.h"
#include "libs/kafka/tagged_fields.h"

namespace eddy::kafka {

// Malformed returns the InvalidArgument status every decoder uses: "<field>: <what>".
absl::Status Malformed(std::string_view field, std::string_view what);

// PrefixError returns `status` with `prefix` prepended to its message (OK stays OK). Decoders use it
// to build paths such as "ProduceRequest v9: topic_data[0].partition_data[2].records: ...".
absl::Status PrefixError(absl::Status status, std::string_view prefix);

class Reader {
 public:
  static constexpr bool kDecoding = true;

  explicit Reader(std::span<const uint8_t> data) : begin_(data.data()), pos_(data.data()),
                                                  end_(data.data() + data.size()) {}
  Reader(const void* data, size_t size)
      : Reader(std::span<const uint8_t>(static_cast<const uint8_t*>(data), size)) {}

  size_t size() const { return static_cast<size_t>(end_ - begin_); }
  size_t position() const { return static_cast<size_t>(pos_ - begin_); }
  size_t remaining() const { return static_cast<size_t>(end_ - pos_); }
  // Rest returns the unread bytes without consuming them.
  std::span<const uint8_t> Rest() const { return {pos_, remaining()}; }

  absl::Status Bool(bool& v, const char* field);
  absl::Status Int8(int8_t& v, const char* field);
  absl::Status Int16(int16_t& v, const char* field);
  absl::Status Int32(int32_t& v, const char* field);
  absl::Status Int64(int64_t& v, const char* field);
  absl::Status Uint16(uint16_t& v, const char* field);
  absl::Status Uint32(uint32_t& v, const char* field);
  absl::Status Float64(double& v, const char* field);
  absl::Status Uuid(common::Uuid& v, const char* field);
  // UnsignedVarint reads at most 5 bytes (a 32-bit value); Varint/Varlong are ZigZag-signed.
  absl::Status UnsignedVarint(uint32_t& v, const char* field);
  absl::Status Varint(int32_t& v, const char* field);
  absl::Status Varlong(int64_t& v, const char* field);

  // Strings are at most 32767 bytes in both encodings (Java's limit). `compact` selects the
  // UNSIGNED_VARINT length+1 form; `nullable` says whether null is legal in this version.
  absl::Status String(std::string& v, bool compact, const char* field);
  absl::Status NullableString(std::optional<std::string>& v, bool compact, bool nullable,
                              const char* field);
  absl::Status Bytes(std::string& v, bool compact, const char* field);
  absl::Status NullableBytes(std::optional<std::string>& v, bool compact, bool nullable,
                             const char* field);

  // Span consumes `n` bytes and returns a view of them (zero copy).
  absl::Status Span(size_t n, std::span<const uint8_t>& out, const char* field);

  // Array reads a count then calls fn(*this, element) for each element. A count larger than the
  // remaining bytes is rejected before allocating (every element takes at least one byte).
  template <typename T, typename Fn>
  absl::Status Array(std::vector<T>& v, bool compact, const char* field, Fn&& fn);
  template <typename T, typename Fn>
  absl::Status NullableArray(std::optional<std::vector<T>>& v, bool compact, bool nullable,
                             const char* field, Fn&& fn);
  // NullableStruct reads Kafka's INT8 presence marker (-1 null, 1 present) then the struct.
  template <typename T, typename Fn>
  absl::Status NullableStruct(std::optional<T>& v, bool nullable, const char* field, Fn&& fn);

  // Tags reads a tagged-field section; known active tags are decoded by fn(sub_reader, tag) from
  // exactly `size` bytes, others are appended to `unknown`.
  template <typename Fn>
  absl::Status Tags(UnknownTaggedFields& unknown, std::initializer_list<KnownTag> known, Fn&& fn);

 private:
  static constexpr int64_t kMaxReserve = 1024;

  absl::Status Need(size_t n, const char* field) const {
    if (remaining() < n) return Truncated(n, field);
    return absl::OkStatus();
  }
  absl::Status Truncated(size_t n, const char* field) const;
  // ReadLength reads a string/bytes/array length, returning -1 for null.
  absl::Status ReadLength(bool compact, bool wide, const char* field, int64_t& len);
  absl::Status ReadCount(bool compact, bool nullable, const char* field, int64_t& count);

  const uint8_t* begin_;
  const uint8_t* pos_;
  const uint8_t* end_;
};

template <typename T, typename Fn>
absl::Status Reader::Array(std::vector<T>& v, bool compact, const char* field, Fn&& fn) {
  int64_t count = 0;
  if (auto s = ReadCount(compact, /*nullable=*/false, field, count); !s.ok()) return s;
  v.clear();
  // Grow as elements decode rather than trusting the count for one big allocation.
  v.reserve(static_cast<size_t>(std::min<int64_t>(count, kMaxReserve)));
  for (int64_t i = 0; i < count; ++i) {
    if (auto s = fn(*this, v.emplace_back()); !s.ok()) {
      return PrefixError(std::move(s), std::string(field) + "[" + std::to_string(i) + "].");
    }
  }
  return absl::OkStatus();
}

template <typename T, typename Fn>
absl::Status Reader::NullableArray(std::optional<std::vector<T>>& v, bool compact, bool nullable,
                                   const char* field, Fn&& fn) {
  int64_t count = 0;
  if (auto s = ReadCount(compact, nullable, field, count); !s.ok()) return s;
  if (count < 0) {
    v.reset();
    return absl::OkStatus();
  }
  v.emplace();
  v->reserve(static_cast<size_t>(std::min<int64_t>(count, kMaxReserve)));
  for (int64_t i = 0; i < count; ++i) {
    if (auto s = fn(*this, v->emplace_back()); !s.ok()) {
      return PrefixError(std::move(s), std::string(field) + "[" + std::to_string(i) + "].");
    }
  }
  return absl::OkStatus();
}

template <typename T, typename Fn>
absl::Status Reader::NullableStruct(std::optional<T>& v, bool nullable, const char* field,
                                    Fn&& fn) {
  int8_t marker = 1;
  if (nullable) {
    if (auto s = Int8(marker, field); !s.ok()) return s;
  }
  if (marker < 0) {
    v.reset();
    return absl::OkStatus();
  }
  // emplace(T()) rather than emplace(): clang decides a nested struct with default member
  // initializers is not default-constructible while its enclosing message is incomplete and
  // caches that answer (CWG 1397); a move construction is unaffected.
  v.emplace(T());
  return PrefixError(fn(*this, *v), std::string(field) + ".");
}

template <typename Fn>
absl::Status Reader::Tags(UnknownTaggedFields& unknown, std::initializer_list<KnownTag> known,
                          Fn&& fn) {
  uint32_t count = 0;
  if (auto s = UnsignedVarint(count, "tagged_fields.count"); !s.ok()) return s;
  // Each tagged field takes at least two bytes (tag and size).
  if (count > remaining() / 2) return Malformed("tagged_fields.count", "exceeds remaining bytes");
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t tag = 0;
    uint32_t size = 0;
    if (auto s = UnsignedVarint(tag, "tagged_fields.tag"); !s.ok()) return s;
    if (auto s = UnsignedVarint(size, "tagged_fields.size"); !s.ok()) return s;
    if (auto s = Need(size, "tagged_fields.data"); !s.ok()) return s;
    bool is_known = false;
    for (const KnownTag& k : known) is_known |= (k.active && k.tag == tag);
    if (is_known) {
      Reader sub(pos_, size);
      const std::string where = "tag " + std::to_string(tag) + ": ";
      if (auto s = fn(sub, tag); !s.ok()) return PrefixError(std::move(s), where);
      if (sub.remaining() != 0) return Malformed(where + "tagged field", "has trailing bytes");
    } else {
      unknown.push_back(RawTaggedField{tag, std::string(reinterpret_cast<const char*>(pos_), size)});
    }
    pos_ += size;
  }
  return absl::OkStatus();
}

}  // namespace eddy::kafka
