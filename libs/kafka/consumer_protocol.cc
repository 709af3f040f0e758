#include "libs/kafka/consumer_protocol.h"

#include <algorithm>

namespace eddy::kafka {
namespace {

template <typename T>
absl::StatusOr<std::string> EncodeVersioned(const T& value, int16_t version) {
  std::string out;
  Writer writer(&out);
  if (auto s = writer.Int16(version, "version"); !s.ok()) return s;
  if (auto s = value.Encode(writer, version); !s.ok()) return s;
  return out;
}

template <typename T>
absl::StatusOr<Versioned<T>> DecodeVersioned(std::string_view blob) {
  Reader reader(blob.data(), blob.size());
  Versioned<T> result;
  if (auto s = reader.Int16(result.version, "version"); !s.ok()) {
    return PrefixError(std::move(s), std::string(T::kName) + ": ");
  }
  if (result.version < 0) {
    return Malformed(T::kName, "negative version " + std::to_string(result.version));
  }
  const int16_t layout = std::min<int16_t>(result.version, T::kMaxVersion);
  if (auto s = result.value.Decode(reader, layout); !s.ok()) return s;
  return result;
}

}  // namespace

absl::StatusOr<std::string> EncodeSubscription(const ConsumerProtocolSubscription& subscription,
                                               int16_t version) {
  return EncodeVersioned(subscription, version);
}

absl::StatusOr<Versioned<ConsumerProtocolSubscription>> DecodeSubscription(std::string_view blob) {
  return DecodeVersioned<ConsumerProtocolSubscription>(blob);
}

absl::StatusOr<std::string> EncodeAssignment(const ConsumerProtocolAssignment& assignment,
                                             int16_t version) {
  return EncodeVersioned(assignment, version);
}

absl::StatusOr<Versioned<ConsumerProtocolAssignment>> DecodeAssignment(std::string_view blob) {
  if (blob.empty()) return Versioned<ConsumerProtocolAssignment>{};
  return DecodeVersioned<ConsumerProtocolAssignment>(blob);
}

}  // namespace eddy::kafka
