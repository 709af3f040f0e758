// ControllerService is the gRPC adapter of the controller over the Raft metadata quorum.
//
// Writes (topic admin, AlterPartition, broker registration, fencing) run as MetadataQuorum
// commands on the leader; a follower answers FAILED_PRECONDITION with a leader hint (UNAVAILABLE
// while no leader is known), which libs/rpc's LeaderFollower and MemberAgent follow.
//
// Membership: heartbeat leases live in memory on the active controller only, as in KRaft. Brokers
// are also metadata records: registration appends a RegisterBrokerRecord (the broker epoch is its
// log offset), a heartbeat of a fenced broker unfences it, a heartbeat announcing shutdown starts a
// controlled shutdown, and an expired lease fences it (moving its leaderships within the ISR).
// Other roles (coordinators, registries, gateways) are leader-local lease state only: they hold no
// metadata, and after a failover they register again when the new leader does not know them.
// When a controller becomes leader it grants every broker of the image a fresh lease (KRaft does
// the same), so a failover does not fence live brokers.
//
// Coordinators: the active controller creates __consumer_offsets once a coordinator is live and
// enough brokers are usable (offsets_topic.h) and, on every tick, places its partitions (the group
// coordinator's shards) on the live coordinators (coordinator_planner.h), committing each change
// of owners as one write.
//
// WatchMetadata is served by any controller from its own replica.
//
// The cluster id comes from the metadata log: the first leader of a new cluster writes its
// proposed id (cluster_id.h) once; GetClusterStatus answers UNAVAILABLE until that is applied.
#pragma once

#include <atomic>
#include <cstdint>
#include <random>
#include <string>

#include "libs/common/clock.h"
#include "libs/common/strong_id.h"
#include "proto/eddy/v1/controller.grpc.pb.h"
#include "services/controller/cluster_membership.h"
#include "services/controller/controller_result.h"
#include "services/controller/coordinator_planner.h"
#include "services/controller/leader_rebalancer.h"
#include "services/controller/metadata_quorum.h"

namespace eddy::controller {

class ControllerService final : public eddy::v1::Controller::CallbackService {
 public:
  ControllerService(MetadataQuorum& quorum, ClusterMembership& membership,
                    ControllerOptions options, LeaderRebalanceOptions rebalance,
                    const common::Clock& clock, std::string proposed_cluster_id);

  // Tick runs the active controller's timers: taking over leases after winning an election,
  // fencing brokers whose lease expired, and preferred-leader rebalancing. Call it periodically
  // (its period bounds fencing delay).
  void Tick();

  grpc::ServerUnaryReactor* RegisterMember(grpc::CallbackServerContext* context,
                                           const eddy::v1::RegisterMemberRequest* request,
                                           eddy::v1::RegisterMemberResponse* response) override;
  grpc::ServerUnaryReactor* Heartbeat(grpc::CallbackServerContext* context,
                                      const eddy::v1::HeartbeatRequest* request,
                                      eddy::v1::HeartbeatResponse* response) override;
  grpc::ServerUnaryReactor* GetClusterStatus(grpc::CallbackServerContext* context,
                                             const eddy::v1::GetClusterStatusRequest* request,
                                             eddy::v1::GetClusterStatusResponse* response) override;
  grpc::ServerWriteReactor<eddy::v1::MetadataDelta>* WatchMetadata(
      grpc::CallbackServerContext* context, const eddy::v1::WatchMetadataRequest* request) override;
  grpc::ServerUnaryReactor* CreateTopics(grpc::CallbackServerContext* context,
                                         const eddy::v1::CreateTopicsRequest* request,
                                         eddy::v1::CreateTopicsResponse* response) override;
  grpc::ServerUnaryReactor* DeleteTopics(grpc::CallbackServerContext* context,
                                         const eddy::v1::DeleteTopicsRequest* request,
                                         eddy::v1::DeleteTopicsResponse* response) override;
  grpc::ServerUnaryReactor* CreatePartitions(grpc::CallbackServerContext* context,
                                             const eddy::v1::CreatePartitionsRequest* request,
                                             eddy::v1::CreatePartitionsResponse* response) override;
  grpc::ServerUnaryReactor* AlterPartition(grpc::CallbackServerContext* context,
                                           const eddy::v1::AlterPartitionRequest* request,
                                           eddy::v1::AlterPartitionResponse* response) override;
  grpc::ServerUnaryReactor* DescribeConfigs(grpc::CallbackServerContext* context,
                                            const eddy::v1::DescribeConfigsRequest* request,
                                            eddy::v1::DescribeConfigsResponse* response) override;
  grpc::ServerUnaryReactor* AlterConfigs(grpc::CallbackServerContext* context,
                                         const eddy::v1::AlterConfigsRequest* request,
                                         eddy::v1::AlterConfigsResponse* response) override;
  grpc::ServerUnaryReactor* IncrementalAlterConfigs(
      grpc::CallbackServerContext* context, const eddy::v1::IncrementalAlterConfigsRequest* request,
      eddy::v1::IncrementalAlterConfigsResponse* response) override;
  grpc::ServerUnaryReactor* ElectLeaders(grpc::CallbackServerContext* context,
                                         const eddy::v1::ElectLeadersRequest* request,
                                         eddy::v1::ElectLeadersResponse* response) override;
  grpc::ServerUnaryReactor* AllocateProducerIds(
      grpc::CallbackServerContext* context, const eddy::v1::AllocateProducerIdsRequest* request,
      eddy::v1::AllocateProducerIdsResponse* response) override;

 private:
  // Redirect finishes the call with a leader hint unless this controller leads; true if it did.
  bool Redirect(grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor);
  // Finish ends a call with the outcome of a quorum command (a NotLeaderError becomes a hint).
  void Finish(grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor,
              const absl::Status& status);
  eddy::v1::WriteInfo WriteInfoOf(const QuorumWrite& write) const;
  // SubmitWrite serves a unary write RPC: unless this controller leads it redirects; otherwise it
  // runs `command` (which fills `response`) as a quorum command and finishes the call once its
  // records are applied, setting the response's WriteInfo when the response has one.
  template <typename Response>
  grpc::ServerUnaryReactor* SubmitWrite(grpc::CallbackServerContext* context, Response* response,
                                        MetadataQuorum::Command command);
  void RegisterBroker(grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor,
                      const eddy::v1::RegisterMemberRequest* request,
                      eddy::v1::RegisterMemberResponse* response);
  // AfterBrokerHeartbeat submits the fencing change a broker's heartbeat asks for, if any.
  void AfterBrokerHeartbeat(const eddy::v1::HeartbeatRequest& request);
  void TakeOverLeases();
  // WriteClusterId writes the proposed cluster id if the log has none yet (one attempt at a time;
  // Tick calls it until the image holds an id).
  void WriteClusterId();
  void RebalanceLeaders();
  // CreateOffsetsTopic creates __consumer_offsets once it is missing, a coordinator is live and
  // brokers suffice.
  void CreateOffsetsTopic();
  // AssignCoordinatorShards commits the shard moves the live coordinators call for, if any.
  void AssignCoordinatorShards();
  // AdoptBroker leases a broker the image knows with `epoch` but this leader does not yet (it
  // heartbeats before Tick took over); false if the image has another registration.
  bool AdoptBroker(BrokerId broker, int64_t epoch);

  MetadataQuorum& quorum_;
  ClusterMembership& membership_;
  const ControllerOptions options_;
  const std::string proposed_cluster_id_;
  std::mt19937_64 random_;           // used only by commands, which run one at a time
  Term leading_term_;                // the term whose leases this controller holds (Tick's thread)
  LeaderRebalancer rebalancer_;      // Tick's thread
  bool cluster_id_written_ = false;  // Tick's thread; once set, the id never changes
  std::atomic<bool> cluster_id_pending_ = false;     // a write is queued (cleared by its Done)
  CoordinatorPlanner coordinators_;                  // Tick's thread
  std::atomic<bool> offsets_topic_pending_ = false;  // a creation is queued
  std::atomic<bool> shards_pending_ = false;         // a shard assignment is queued
};

}  // namespace eddy::controller
