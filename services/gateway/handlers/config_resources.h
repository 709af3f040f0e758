// Kafka config resources (ConfigResource.Type: TOPIC = 2, BROKER = 4) as the controller names them:
// a broker resource with an empty name is the cluster-wide default. Other types (BROKER_LOGGER,
// CLIENT_METRICS, GROUP) are not served and get INVALID_REQUEST per resource.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "proto/eddy/v1/controller.pb.h"

namespace eddy::gateway {

inline constexpr int8_t kTopicResource = 2;
inline constexpr int8_t kBrokerResource = 4;

inline std::optional<eddy::v1::ConfigResourceRef> ResourceRefOf(int8_t type,
                                                                const std::string& name) {
  eddy::v1::ConfigResourceRef ref;
  ref.set_name(name);
  if (type == kTopicResource) {
    ref.set_type(eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC);
  } else if (type == kBrokerResource) {
    ref.set_type(name.empty() ? eddy::v1::CONFIG_RESOURCE_TYPE_CLUSTER
                              : eddy::v1::CONFIG_RESOURCE_TYPE_BROKER);
  } else {
    return std::nullopt;
  }
  return ref;
}

inline bool SameResource(const eddy::v1::ConfigResourceRef& a,
                         const eddy::v1::ConfigResourceRef& b) {
  return a.type() == b.type() && a.name() == b.name();
}

}  // namespace eddy::gateway
