// Broker lifecycle commands: the records that register, fence, unfence, shut down and unregister a
// broker, together with the partition changes each transition forces (KRaft's
// ReplicationControlManager.handleBrokerFenced / handleBrokerUnfenced / controlled shutdown):
// - Fencing (lease expiry), controlled shutdown and unregistration take the broker out of every
//   ISR and move each partition it leads to another ISR member, then an ELR member, never outside
//   them unless the topic enables unclean.leader.election.enable (see partition_change.h).
// - Unfencing lets the broker lead the leaderless partitions it may lead.
// - Registering after an unclean shutdown drops the broker from every ELR (KIP-966).
// Heartbeats and leases never reach the log; the driver calls FenceBroker when a lease expires and
// UnfenceBroker once a registered broker heartbeats having caught up with the metadata log (KRaft's
// BrokerHeartbeatManager policy, which lives in the driver).
#pragma once

#include <string>
#include <vector>

#include "libs/common/strong_id.h"
#include "proto/eddy/v1/common.pb.h"
#include "services/controller/controller_result.h"
#include "services/controller/metadata_image.h"

namespace eddy::controller {

struct RegisterBrokerRequest {
  BrokerId broker_id;
  std::string incarnation_id;
  std::string rack;
  std::vector<eddy::v1::Endpoint> endpoints;
  // False when the broker's previous run did not shut down cleanly.
  bool clean_shutdown = true;
  std::string version;
};

// ShutDownCleanly applies KIP-966's rule to a registering broker: its previous run shut down
// cleanly iff it presents the epoch of the registration it replaces (which it saved when it shut
// down cleanly). A broker the image does not know has nothing to be unclean about.
bool ShutDownCleanly(const MetadataImage& image, BrokerId broker, BrokerEpoch previous_epoch);

// RegisterBroker registers (or re-registers) a broker; the new registration starts fenced and its
// epoch is the log index of its record. DUPLICATE_BROKER_REGISTRATION while another incarnation
// of the id holds a live lease (`previous_lease_live`, known only to the driver's lease tracker).
ControllerResult<ApiError> RegisterBroker(const MetadataImage& image,
                                          const RegisterBrokerRequest& request,
                                          bool previous_lease_live);

// FenceBroker fences a registered, unfenced broker (no records otherwise).
ControllerResult<ApiError> FenceBroker(const MetadataImage& image, BrokerId broker);

// UnfenceBroker unfences the registration with `broker_epoch` (STALE_BROKER_EPOCH otherwise).
ControllerResult<ApiError> UnfenceBroker(const MetadataImage& image, BrokerId broker,
                                         BrokerEpoch broker_epoch);

// BeginControlledShutdown marks the broker as shutting down and moves its leadership and ISR
// memberships away (STALE_BROKER_EPOCH for another registration).
ControllerResult<ApiError> BeginControlledShutdown(const MetadataImage& image, BrokerId broker,
                                                   BrokerEpoch broker_epoch);

// UnregisterBroker removes a registration (BROKER_ID_NOT_REGISTERED if there is none).
ControllerResult<ApiError> UnregisterBroker(const MetadataImage& image, BrokerId broker);

// CheckBrokerEpoch is Kafka's ClusterControlManager.checkBrokerEpoch: STALE_BROKER_EPOCH unless
// `broker` is registered with exactly `broker_epoch`.
ApiError CheckBrokerEpoch(const MetadataImage& image, BrokerId broker, BrokerEpoch broker_epoch);

}  // namespace eddy::controller
