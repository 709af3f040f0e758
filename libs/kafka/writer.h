// Writer encodes Kafka protocol primitives (big-endian fixed ints, ZigZag and unsigned varints,
// classic and compact strings/bytes/arrays, tagged-field sections) by appending to a std::string.
// Sizer accepts the same calls and only counts bytes, so a generated struct's one `Serde` function
// yields its decoder, encoder and EncodedSize. Encoding fails (InvalidArgument naming the field)
// only for values the wire cannot carry: a null in a non-nullable version, an over-long string.
//
// Thread-safety: a Writer appends to a caller-owned buffer; use one per thread.
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

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "libs/common/uuid.h"
#include "libs/kafka/reader.h"
#include "libs/kafka/tagged_fields.h"

namespace eddy::kafka {

// UnsignedVarintSize returns the encoded size of `v` as an UNSIGNED_VARINT (1..5).
constexpr size_t UnsignedVarintSize(uint32_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
// VarlongSize returns the encoded size of a ZigZag VARLONG (1..10).
constexpr size_t VarlongSize(int64_t v) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  size_t n = 1;
  while (z >= 0x80) {
    z >>= 7;
    ++n;
  }
  return n;
}
constexpr size_t VarintSize(int32_t v) { return VarlongSize(v); }

namespace internal {

// TagOrder merges a struct's present known tags with its unknown ones in ascending tag order; an
// unknown tag equal to an active known tag is dropped (the known field is authoritative).
// Entries >= 0 index `known`, entries < 0 are ~index into `unknown`.
absl::Status TagOrder(const UnknownTaggedFields& unknown, std::initializer_list<KnownTag> known,
                      absl::InlinedVector<int, 8>& order);

}  // namespace internal

class Sizer {
 public:
  static constexpr bool kDecoding = false;

  size_t size() const { return n_; }

  absl::Status Bool(const bool&, const char*) { return Add(1); }
  absl::Status Int8(const int8_t&, const char*) { return Add(1); }
  absl::Status Int16(const int16_t&, const char*) { return Add(2); }
  absl::Status Int32(const int32_t&, const char*) { return Add(4); }
  absl::Status Int64(const int64_t&, const char*) { return Add(8); }
  absl::Status Uint16(const uint16_t&, const char*) { return Add(2); }
  absl::Status Uint32(const uint32_t&, const char*) { return Add(4); }
  absl::Status Float64(const double&, const char*) { return Add(8); }
  absl::Status Uuid(const common::Uuid&, const char*) { return Add(16); }
  absl::Status UnsignedVarint(const uint32_t& v, const char*) { return Add(UnsignedVarintSize(v)); }
  absl::Status Varint(const int32_t& v, const char*) { return Add(VarintSize(v)); }
  absl::Status Varlong(const int64_t& v, const char*) { return Add(VarlongSize(v)); }
  absl::Status String(const std::string& v, bool compact, const char*) {
    return Add(Length(compact, 2, static_cast<int64_t>(v.size())) + v.size());
  }
  absl::Status NullableString(const std::optional<std::string>& v, bool compact, bool,
                              const char*) {
    return Add(v ? Length(compact, 2, static_cast<int64_t>(v->size())) + v->size()
                   : Length(compact, 2, -1));
  }
  absl::Status Bytes(const std::string& v, bool compact, const char*) {
    return Add(Length(compact, 4, static_cast<int64_t>(v.size())) + v.size());
  }
  absl::Status NullableBytes(const std::optional<std::string>& v, bool compact, bool,
                             const char*) {
    return Add(v ? Length(compact, 4, static_cast<int64_t>(v->size())) + v->size()
                   : Length(compact, 4, -1));
  }
  template <typename T, typename Fn>
  absl::Status Array(std::vector<T>& v, bool compact, const char*, Fn&& fn) {
    Count(Length(compact, 4, static_cast<int64_t>(v.size())));
    for (T& e : v) fn(*this, e).IgnoreError();
    return absl::OkStatus();
  }
  template <typename T, typename Fn>
  absl::Status NullableArray(std::optional<std::vector<T>>& v, bool compact, bool,
                             const char* field, Fn&& fn) {
    if (!v) return Add(Length(compact, 4, -1));
    return Array(*v, compact, field, fn);
  }
  template <typename T, typename Fn>
  absl::Status NullableStruct(std::optional<T>& v, bool nullable, const char*, Fn&& fn) {
    if (nullable) Count(1);
    if (v) fn(*this, *v).IgnoreError();
    return absl::OkStatus();
  }
  template <typename Fn>
  absl::Status Tags(const UnknownTaggedFields& unknown, std::initializer_list<KnownTag> known,
                    Fn&& fn);

 private:
  absl::Status Add(size_t n) {
    n_ += n;
    return absl::OkStatus();
  }
  void Count(size_t n) { n_ += n; }
  // Length returns the size of a length prefix: a varint of len+1 when compact, else `fixed`.
  static size_t Length(bool compact, size_t fixed, int64_t len) {
    return compact ? UnsignedVarintSize(static_cast<uint32_t>(len + 1)) : fixed;
  }

  size_t n_ = 0;
};

// Splice is a bytes field a splicing Writer left out of its buffer: `bytes` belong at `offset` of
// the buffer (after the field's length prefix, which is in the buffer). Writing the buffer's runs
// and the splices in order with gather I/O sends the same bytes without copying large fields.
struct Splice {
  size_t offset;
  std::string_view bytes;
};

class Writer {
 public:
  static constexpr bool kDecoding = false;

  // Writer appends to *out, which must outlive it.
  explicit Writer(std::string* out) : out_(out) {}

  std::string& buffer() { return *out_; }

  // SpliceBytesFrom makes every Bytes/NullableBytes value of at least `min_size` bytes (fetched
  // record batches) go to *splices, in buffer order, instead of being copied into the buffer.
  // REQUIRES: the encoded values outlive the splices; *splices outlives the Writer.
  void SpliceBytesFrom(size_t min_size, std::vector<Splice>* splices) {
    splice_min_size_ = min_size;
    splices_ = splices;
  }
  // spliced_bytes is how many bytes went to splices rather than to the buffer.
  size_t spliced_bytes() const { return spliced_bytes_; }

  absl::Status Bool(const bool& v, const char*) { return Fixed<uint8_t>(v ? 1 : 0); }
  absl::Status Int8(const int8_t& v, const char*) { return Fixed(v); }
  absl::Status Int16(const int16_t& v, const char*) { return Fixed(v); }
  absl::Status Int32(const int32_t& v, const char*) { return Fixed(v); }
  absl::Status Int64(const int64_t& v, const char*) { return Fixed(v); }
  absl::Status Uint16(const uint16_t& v, const char*) { return Fixed(v); }
  absl::Status Uint32(const uint32_t& v, const char*) { return Fixed(v); }
  absl::Status Float64(const double& v, const char* field);
  absl::Status Uuid(const common::Uuid& v, const char* field);
  absl::Status UnsignedVarint(const uint32_t& v, const char* field);
  absl::Status Varint(const int32_t& v, const char* field);
  absl::Status Varlong(const int64_t& v, const char* field);
  absl::Status String(const std::string& v, bool compact, const char* field);
  absl::Status NullableString(const std::optional<std::string>& v, bool compact, bool nullable,
                              const char* field);
  absl::Status Bytes(const std::string& v, bool compact, const char* field);
  absl::Status NullableBytes(const std::optional<std::string>& v, bool compact, bool nullable,
                             const char* field);
  // Raw appends bytes verbatim.
  absl::Status Raw(std::string_view bytes) {
    out_->append(bytes);
    return absl::OkStatus();
  }

  template <typename T, typename Fn>
  absl::Status Array(std::vector<T>& v, bool compact, const char* field, Fn&& fn) {
    if (auto s = Count(compact, static_cast<int64_t>(v.size()), field); !s.ok()) return s;
    for (size_t i = 0; i < v.size(); ++i) {
      if (auto s = fn(*this, v[i]); !s.ok()) {
        return PrefixError(std::move(s), std::string(field) + "[" + std::to_string(i) + "].");
      }
    }
    return absl::OkStatus();
  }
  template <typename T, typename Fn>
  absl::Status NullableArray(std::optional<std::vector<T>>& v, bool compact, bool nullable,
                             const char* field, Fn&& fn) {
    if (v) return Array(*v, compact, field, fn);
    if (!nullable) return Malformed(field, "non-nullable array is null");
    return Count(compact, -1, field);
  }
  template <typename T, typename Fn>
  absl::Status NullableStruct(std::optional<T>& v, bool nullable, const char* field, Fn&& fn) {
    if (!nullable && !v) return Malformed(field, "non-nullable struct is null");
    if (nullable) Fixed<int8_t>(v ? 1 : -1).IgnoreError();
    if (!v) return absl::OkStatus();
    return PrefixError(fn(*this, *v), std::string(field) + ".");
  }
  template <typename Fn>
  absl::Status Tags(const UnknownTaggedFields& unknown, std::initializer_list<KnownTag> known,
                    Fn&& fn);

 private:
  template <typename T>
  absl::Status Fixed(T v) {
    using U = std::make_unsigned_t<T>;
    char buf[sizeof(T)];
    U u = static_cast<U>(v);
    for (size_t i = sizeof(T); i > 0; --i) {
      buf[i - 1] = static_cast<char>(u & 0xff);
      u = static_cast<U>(u >> 8);
    }
    out_->append(buf, sizeof(T));
    return absl::OkStatus();
  }
  // Length writes a string/bytes length (-1 = null); Count an array count.
  absl::Status Length(bool compact, bool wide, int64_t len, const char* field);
  absl::Status Count(bool compact, int64_t count, const char* field) {
    return Length(compact, /*wide=*/true, count, field);
  }

  std::string* out_;
  std::vector<Splice>* splices_ = nullptr;
  size_t splice_min_size_ = 0;
  size_t spliced_bytes_ = 0;
};

template <typename Fn>
absl::Status Sizer::Tags(const UnknownTaggedFields& unknown, std::initializer_list<KnownTag> known,
                         Fn&& fn) {
  absl::InlinedVector<int, 8> order;
  if (auto s = internal::TagOrder(unknown, known, order); !s.ok()) return s;
  Count(UnsignedVarintSize(static_cast<uint32_t>(order.size())));
  for (int idx : order) {
    if (idx >= 0) {
      const uint32_t tag = std::data(known)[idx].tag;
      Sizer field;
      fn(field, tag).IgnoreError();
      Count(UnsignedVarintSize(tag) + UnsignedVarintSize(static_cast<uint32_t>(field.size())) +
          field.size());
    } else {
      const RawTaggedField& raw = unknown[static_cast<size_t>(~idx)];
      Count(UnsignedVarintSize(raw.tag) + UnsignedVarintSize(static_cast<uint32_t>(raw.data.size())) +
          raw.data.size());
    }
  }
  return absl::OkStatus();
}

template <typename Fn>
absl::Status Writer::Tags(const UnknownTaggedFields& unknown, std::initializer_list<KnownTag> known,
                          Fn&& fn) {
  absl::InlinedVector<int, 8> order;
  if (auto s = internal::TagOrder(unknown, known, order); !s.ok()) return s;
  uint32_t count = static_cast<uint32_t>(order.size());
  UnsignedVarint(count, "tagged_fields.count").IgnoreError();
  for (int idx : order) {
    if (idx >= 0) {
      uint32_t tag = std::data(known)[idx].tag;
      Sizer sizer;
      fn(sizer, tag).IgnoreError();
      uint32_t size = static_cast<uint32_t>(sizer.size());
      UnsignedVarint(tag, "tagged_fields.tag").IgnoreError();
      UnsignedVarint(size, "tagged_fields.size").IgnoreError();
      if (auto s = fn(*this, tag); !s.ok()) {
        return PrefixError(std::move(s), "tag " + std::to_string(tag) + ": ");
      }
    } else {
      const RawTaggedField& raw = unknown[static_cast<size_t>(~idx)];
      uint32_t size = static_cast<uint32_t>(raw.data.size());
      UnsignedVarint(raw.tag, "tagged_fields.tag").IgnoreError();
      UnsignedVarint(size, "tagged_fields.size").IgnoreError();
      out_->append(raw.data);
    }
  }
  return absl::OkStatus();
}

}  // namespace eddy::kafka
