#include "libs/kafka/writer.h"

#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"

namespace eddy::kafka {
namespace internal {

absl::Status TagOrder(const UnknownTaggedFields& unknown, std::initializer_list<KnownTag> known,
                      absl::InlinedVector<int, 8>& order) {
  order.clear();
  int i = 0;
  for (const KnownTag& k : known) {
    if (k.active && k.present) order.push_back(i);
    ++i;
  }
  for (size_t j = 0; j < unknown.size(); ++j) {
    bool shadowed = false;
    for (const KnownTag& k : known) shadowed |= (k.active && k.tag == unknown[j].tag);
    if (!shadowed) order.push_back(~static_cast<int>(j));
  }
  auto tag_of = [&](int idx) {
    return idx >= 0 ? std::data(known)[idx].tag : unknown[static_cast<size_t>(~idx)].tag;
  };
  std::sort(order.begin(), order.end(), [&](int a, int b) { return tag_of(a) < tag_of(b); });
  for (size_t k = 1; k < order.size(); ++k) {
    if (tag_of(order[k - 1]) == tag_of(order[k])) {
      return Malformed("tagged_fields", absl::StrCat("duplicate tag ", tag_of(order[k])));
    }
  }
  return absl::OkStatus();
}

}  // namespace internal

absl::Status Writer::Float64(const double& v, const char*) {
  int64_t bits = 0;
  std::memcpy(&bits, &v, sizeof(bits));
  return Fixed(bits);
}

absl::Status Writer::Uuid(const common::Uuid& v, const char*) {
  out_->append(reinterpret_cast<const char*>(v.bytes().data()), v.bytes().size());
  return absl::OkStatus();
}

absl::Status Writer::UnsignedVarint(const uint32_t& v, const char*) {
  char buf[5];
  size_t n = 0;
  uint32_t x = v;
  while (x >= 0x80) {
    buf[n++] = static_cast<char>((x & 0x7f) | 0x80);
    x >>= 7;
  }
  buf[n++] = static_cast<char>(x);
  out_->append(buf, n);
  return absl::OkStatus();
}

absl::Status Writer::Varint(const int32_t& v, const char* field) {
  return Varlong(static_cast<int64_t>(v), field);
}

absl::Status Writer::Varlong(const int64_t& v, const char*) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  char buf[10];
  size_t n = 0;
  while (z >= 0x80) {
    buf[n++] = static_cast<char>((z & 0x7f) | 0x80);
    z >>= 7;
  }
  buf[n++] = static_cast<char>(z);
  out_->append(buf, n);
  return absl::OkStatus();
}

absl::Status Writer::Length(bool compact, bool wide, int64_t len, const char* field) {
  if (compact) {
    if (len + 1 > std::numeric_limits<uint32_t>::max()) return Malformed(field, "too long");
    return UnsignedVarint(static_cast<uint32_t>(len + 1), field);
  }
  if (wide) {
    if (len > std::numeric_limits<int32_t>::max()) return Malformed(field, "too long");
    return Fixed(static_cast<int32_t>(len));
  }
  if (len > std::numeric_limits<int16_t>::max()) {
    return Malformed(field, absl::StrCat("string length ", len, " exceeds 32767"));
  }
  return Fixed(static_cast<int16_t>(len));
}

absl::Status Writer::String(const std::string& v, bool compact, const char* field) {
  // Strings are limited to 32767 bytes in both encodings, as Kafka's readers enforce.
  if (v.size() > static_cast<size_t>(std::numeric_limits<int16_t>::max())) {
    return Malformed(field, absl::StrCat("string length ", v.size(), " exceeds 32767"));
  }
  if (auto s = Length(compact, /*wide=*/false, static_cast<int64_t>(v.size()), field); !s.ok()) {
    return s;
  }
  out_->append(v);
  return absl::OkStatus();
}

absl::Status Writer::NullableString(const std::optional<std::string>& v, bool compact,
                                    bool nullable, const char* field) {
  if (v) return String(*v, compact, field);
  if (!nullable) return Malformed(field, "non-nullable string is null");
  return Length(compact, /*wide=*/false, -1, field);
}

absl::Status Writer::Bytes(const std::string& v, bool compact, const char* field) {
  if (auto s = Length(compact, /*wide=*/true, static_cast<int64_t>(v.size()), field); !s.ok()) {
    return s;
  }
  if (splices_ != nullptr && v.size() >= splice_min_size_) {
    splices_->push_back(Splice{.offset = out_->size(), .bytes = v});
    spliced_bytes_ += v.size();
    return absl::OkStatus();
  }
  out_->append(v);
  return absl::OkStatus();
}

absl::Status Writer::NullableBytes(const std::optional<std::string>& v, bool compact,
                                   bool nullable, const char* field) {
  if (v) return Bytes(*v, compact, field);
  if (!nullable) return Malformed(field, "non-nullable bytes are null");
  return Length(compact, /*wide=*/true, -1, field);
}

}  // namespace eddy::kafka
