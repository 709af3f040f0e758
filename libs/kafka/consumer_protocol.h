// The consumer protocol's embedded formats (kafka-protocol.md §6; Kafka ConsumerProtocol.java):
// a Subscription rides in JoinGroup `protocols[].metadata` and an Assignment in SyncGroup
// `assignments[].assignment`, each as `INT16 version` + a non-flexible struct (generated from
// codegen/defs/consumer_protocol.def). The group coordinator treats both as opaque; these helpers
// are for tooling, tests and classic↔consumer group interop.
// Forward compatibility as in Java: a blob with a newer version than we know is read with our
// newest layout (fields are only ever appended) and trailing bytes are ignored. An empty
// assignment blob means "no assignment" (kafkajs sends it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/kafka/messages/consumer_protocol.h"

namespace eddy::kafka {

template <typename T>
struct Versioned {
  int16_t version = 0;  // as written in the blob (may exceed T::kMaxVersion)
  T value;
};

absl::StatusOr<std::string> EncodeSubscription(const ConsumerProtocolSubscription& subscription,
                                               int16_t version);
absl::StatusOr<Versioned<ConsumerProtocolSubscription>> DecodeSubscription(std::string_view blob);

absl::StatusOr<std::string> EncodeAssignment(const ConsumerProtocolAssignment& assignment,
                                             int16_t version);
absl::StatusOr<Versioned<ConsumerProtocolAssignment>> DecodeAssignment(std::string_view blob);

}  // namespace eddy::kafka
