// Test support (linked only into tests): a Filler that drives a generated struct's Serde to give
// every field present in a version a distinctive non-default value, and the round-trip cases built
// from it for every message at every version. The generated libs/kafka/messages/testing/*.cc files
// register the cases; messages_round_trip_test.cc runs them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "libs/common/uuid.h"
#include "libs/kafka/message.h"
#include "libs/kafka/tagged_fields.h"

namespace eddy::kafka::internal {

class Filler {
 public:
  static constexpr bool kDecoding = true;
  // kUnknownTag is an unassigned tag number used to check that unknown tags survive a round trip.
  static constexpr uint32_t kUnknownTag = 90;

  // With `nulls`, every field that may be null in the version is null; otherwise all are set.
  explicit Filler(bool nulls) : nulls_(nulls) {}

  absl::Status Bool(bool& v, const char*) { return Set(v, !v); }
  absl::Status Int8(int8_t& v, const char*) { return Set(v, static_cast<int8_t>(Next() % 100)); }
  absl::Status Int16(int16_t& v, const char*) { return Set(v, static_cast<int16_t>(Next())); }
  absl::Status Int32(int32_t& v, const char*) { return Set(v, static_cast<int32_t>(Next() * 1000)); }
  absl::Status Int64(int64_t& v, const char*) { return Set(v, int64_t{Next()} << 33); }
  absl::Status Uint16(uint16_t& v, const char*) { return Set(v, static_cast<uint16_t>(Next())); }
  absl::Status Uint32(uint32_t& v, const char*) { return Set(v, Next() * 70000u); }
  absl::Status Float64(double& v, const char*) { return Set(v, Next() + 0.25); }
  absl::Status Uuid(common::Uuid& v, const char*) {
    return Set(v, common::Uuid::FromMsbLsb(Next(), uint64_t{Next()} << 40));
  }
  absl::Status String(std::string& v, bool, const char*) { return Set(v, Text()); }
  absl::Status NullableString(std::optional<std::string>& v, bool, bool nullable, const char*) {
    if (nulls_ && nullable) return Set(v, std::nullopt);
    return Set(v, Text());
  }
  absl::Status Bytes(std::string& v, bool, const char*) { return Set(v, Blob()); }
  absl::Status NullableBytes(std::optional<std::string>& v, bool, bool nullable, const char*) {
    if (nulls_ && nullable) return Set(v, std::nullopt);
    return Set(v, Blob());
  }
  template <typename T, typename Fn>
  absl::Status Array(std::vector<T>& v, bool, const char*, Fn&& fn) {
    v.clear();
    for (int i = 0; i < 2; ++i) {
      if (auto s = fn(*this, v.emplace_back()); !s.ok()) return s;
    }
    return absl::OkStatus();
  }
  template <typename T, typename Fn>
  absl::Status NullableArray(std::optional<std::vector<T>>& v, bool compact, bool nullable,
                             const char* field, Fn&& fn) {
    if (nulls_ && nullable) return Set(v, std::nullopt);
    v.emplace();
    return Array(*v, compact, field, fn);
  }
  template <typename T, typename Fn>
  absl::Status NullableStruct(std::optional<T>& v, bool nullable, const char*, Fn&& fn) {
    if (nulls_ && nullable) return Set(v, std::nullopt);
    v.emplace(T());  // see Reader::NullableStruct
    return fn(*this, *v);
  }
  template <typename Fn>
  absl::Status Tags(UnknownTaggedFields& unknown, std::initializer_list<KnownTag> known, Fn&& fn) {
    for (const KnownTag& k : known) {
      if (!k.active) continue;
      if (auto s = fn(*this, k.tag); !s.ok()) return s;
    }
    if (!nulls_) unknown.push_back(RawTaggedField{kUnknownTag, std::string("\x01\x00\xff", 3)});
    return absl::OkStatus();
  }

 private:
  template <typename T, typename U>
  absl::Status Set(T& field, U&& value) {
    field = std::forward<U>(value);
    return absl::OkStatus();
  }
  uint32_t Next() { return ++counter_; }
  std::string Text() { return "s" + std::to_string(Next()); }
  std::string Blob() { return std::string("\x00\x80", 2) + std::to_string(Next()); }

  bool nulls_;
  uint32_t counter_ = 0;
};

// RoundTripCase checks one message at one version; Run returns a non-OK status describing the
// first failed property.
struct RoundTripCase {
  std::string name;  // e.g. "ProduceRequest v9 nulls"
  std::function<absl::Status()> run;
};

// CheckRoundTrip fills an M at `version`, then checks: Encode succeeds, writes EncodedSize bytes,
// decodes back to an equal struct that re-encodes to the same bytes, every strict prefix fails to
// decode, and single-byte corruptions decode or fail without crashing.
template <typename M>
absl::Status CheckRoundTrip(int16_t version, bool nulls) {
  M original;
  Filler filler(nulls);
  if (auto s = original.Serde(filler, version); !s.ok()) return s;
  absl::StatusOr<std::string> bytes = EncodeToString(original, version);
  if (!bytes.ok()) return bytes.status();
  if (bytes->size() != original.EncodedSize(version)) {
    return absl::InternalError("EncodedSize " + std::to_string(original.EncodedSize(version)) +
                               " != encoded " + std::to_string(bytes->size()));
  }
  auto span = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes->data()),
                                       bytes->size());
  absl::StatusOr<M> decoded = DecodeFull<M>(span, version);
  if (!decoded.ok()) return decoded.status();
  if (!(*decoded == original)) return absl::InternalError("decoded message differs");
  absl::StatusOr<std::string> again = EncodeToString(*decoded, version);
  if (!again.ok()) return again.status();
  if (*again != *bytes) return absl::InternalError("re-encoding differs");
  for (size_t n = 0; n < bytes->size(); ++n) {
    if (DecodeFull<M>(span.first(n), version).ok()) {
      return absl::InternalError("prefix of " + std::to_string(n) + " bytes decoded");
    }
  }
  std::string mutated = *bytes;
  for (size_t i = 0; i < mutated.size(); i += 3) {
    const char saved = mutated[i];
    for (char flip : {'\xff', '\x7f', '\x00', '\x80'}) {
      mutated[i] = flip;
      DecodeFull<M>(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(mutated.data()),
                                             mutated.size()),
                    version)
          .status()
          .IgnoreError();
    }
    mutated[i] = saved;
  }
  return absl::OkStatus();
}

template <typename M>
void AddRoundTripCases(std::vector<RoundTripCase>& cases) {
  for (int v = M::kMinVersion; v <= M::kMaxVersion; ++v) {
    for (bool nulls : {false, true}) {
      cases.push_back(RoundTripCase{
          std::string(M::kName) + " v" + std::to_string(v) + (nulls ? " nulls" : ""),
          [v, nulls] { return CheckRoundTrip<M>(static_cast<int16_t>(v), nulls); }});
    }
  }
}

// AllRoundTripCases is generated (testing/roundtrip_registry.cc).
std::vector<RoundTripCase> AllRoundTripCases();

}  // namespace eddy::kafka::internal
