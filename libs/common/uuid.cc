#include "libs/common/uuid.h"

#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace eddy::common {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int DecodeChar(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

Uuid Uuid::FromBytes(const std::array<uint8_t, 16>& bytes) {
  Uuid u;
  u.bytes_ = bytes;
  return u;
}

Uuid Uuid::FromMsbLsb(uint64_t msb, uint64_t lsb) {
  Uuid u;
  for (int i = 0; i < 8; ++i) {
    u.bytes_[i] = static_cast<uint8_t>(msb >> (56 - 8 * i));
    u.bytes_[8 + i] = static_cast<uint8_t>(lsb >> (56 - 8 * i));
  }
  return u;
}

uint64_t Uuid::Msb() const {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | bytes_[i];
  return v;
}

uint64_t Uuid::Lsb() const {
  uint64_t v = 0;
  for (int i = 8; i < 16; ++i) v = (v << 8) | bytes_[i];
  return v;
}

Uuid Uuid::Random() {
  thread_local absl::BitGen gen;
  while (true) {
    Uuid u = FromMsbLsb(absl::Uniform<uint64_t>(gen), absl::Uniform<uint64_t>(gen));
    u.bytes_[6] = static_cast<uint8_t>((u.bytes_[6] & 0x0F) | 0x40);  // Version 4.
    u.bytes_[8] = static_cast<uint8_t>((u.bytes_[8] & 0x3F) | 0x80);  // IETF variant.
    // The first character encodes the top 6 bits; '-' is 62 (0b111110).
    if (u.IsZero() || u == MetadataTopicId() || (u.bytes_[0] >> 2) == 62) continue;
    return u;
  }
}

std::string Uuid::ToString() const {
  std::string out;
  out.reserve(22);
  size_t i = 0;
  for (; i + 3 <= bytes_.size(); i += 3) {
    const uint32_t v = (uint32_t{bytes_[i]} << 16) | (uint32_t{bytes_[i + 1]} << 8) | bytes_[i + 2];
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  // One byte remains (16 = 5 * 3 + 1): two characters, the second carrying 2 bits.
  const uint32_t last = bytes_[i];
  out.push_back(kAlphabet[last >> 2]);
  out.push_back(kAlphabet[(last & 3) << 4]);
  return out;
}

absl::StatusOr<Uuid> Uuid::Parse(std::string_view text) {
  const auto invalid = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid uuid \"", absl::string_view(text.data(), text.size()), "\": ",
                     absl::string_view(why.data(), why.size())));
  };
  if (text.size() != 22) return invalid("expected 22 base64url characters");
  int sextets[22];
  for (size_t i = 0; i < 22; ++i) {
    sextets[i] = DecodeChar(text[i]);
    if (sextets[i] < 0) return invalid("not base64url");
  }
  if ((sextets[21] & 0x0F) != 0) return invalid("non-canonical final character");
  Uuid u;
  size_t out = 0;
  for (size_t i = 0; i < 20; i += 4) {
    const uint32_t v = (uint32_t(sextets[i]) << 18) | (uint32_t(sextets[i + 1]) << 12) |
                       (uint32_t(sextets[i + 2]) << 6) | uint32_t(sextets[i + 3]);
    u.bytes_[out++] = static_cast<uint8_t>(v >> 16);
    u.bytes_[out++] = static_cast<uint8_t>(v >> 8);
    u.bytes_[out++] = static_cast<uint8_t>(v);
  }
  u.bytes_[15] = static_cast<uint8_t>((sextets[20] << 2) | (sextets[21] >> 4));
  return u;
}

}  // namespace eddy::common
