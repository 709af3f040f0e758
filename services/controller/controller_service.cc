#include "services/controller/controller_service.h"

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/rpc/leader_hint.h"
#include "libs/rpc/status.h"
#include "services/controller/admin_messages.h"
#include "services/controller/broker_lifecycle.h"
#include "services/controller/config_commands.h"
#include "services/controller/metadata_records.h"
#include "services/controller/offsets_topic.h"
#include "services/controller/partition_commands.h"
#include "services/controller/producer_ids.h"
#include "services/controller/topic_commands.h"
#include "spdlog/spdlog.h"

namespace eddy::controller {
namespace {

using eddy::v1::MetadataRecord;

eddy::v1::PartitionMetadata ToPartitionMetadata(int32_t index, const PartitionState& partition) {
  eddy::v1::PartitionMetadata out;
  out.set_partition(index);
  for (BrokerId id : partition.replicas) out.add_replicas(id.value());
  for (BrokerId id : partition.isr) out.add_isr(id.value());
  for (BrokerId id : partition.elr) out.add_eligible_leader_replicas(id.value());
  out.set_leader(partition.leader.value());
  out.set_leader_epoch(partition.leader_epoch.value());
  out.set_partition_epoch(partition.partition_epoch.value());
  return out;
}

// WatchReactor streams one watcher's deltas: the quorum's sink queues them (on the driver thread,
// without blocking) and the reactor writes them one at a time. A watcher that falls too far
// behind is ended with RESOURCE_EXHAUSTED; it resumes from the last offset it got.
//
// StartWrite and Finish are called without mu_ held, and Finish never from the sink: gRPC may run
// OnDone (which deletes the reactor and takes the quorum's lock in Unwatch) inside Finish.
class WatchReactor final : public grpc::ServerWriteReactor<eddy::v1::MetadataDelta> {
 public:
  static constexpr size_t kMaxQueued = 10000;

  WatchReactor(MetadataQuorum& quorum, int64_t from_offset) : quorum_(quorum) {
    id_ = quorum_.Watch(from_offset, [this](const eddy::v1::MetadataDelta& delta) { Push(delta); });
  }

  void OnWriteDone(bool ok) override {
    {
      absl::MutexLock lock(&mu_);
      queue_.pop_front();
      writing_ = false;
      if (!ok && !end_.has_value()) {
        end_ = grpc::Status(grpc::StatusCode::CANCELLED, "the watcher went away");
      }
    }
    Pump(/*may_finish=*/true);
  }

  void OnCancel() override {
    {
      absl::MutexLock lock(&mu_);
      if (!end_.has_value()) end_ = grpc::Status::CANCELLED;
    }
    Pump(/*may_finish=*/true);
  }

  void OnDone() override {
    quorum_.Unwatch(id_);  // after this the sink is never called again
    delete this;
  }

 private:
  void Push(const eddy::v1::MetadataDelta& delta) {
    {
      absl::MutexLock lock(&mu_);
      if (end_.has_value()) return;
      if (queue_.size() >= kMaxQueued) {
        // A write is in flight (the queue is not empty); its OnWriteDone finishes the call.
        end_ = grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                            "metadata watcher fell behind; resume from the last offset received");
        return;
      }
      queue_.push_back(delta);
    }
    Pump(/*may_finish=*/false);
  }

  // Pump starts the next write, or finishes once ending with no write in flight (a reactor must
  // not finish while a write is outstanding).
  void Pump(bool may_finish) {
    const eddy::v1::MetadataDelta* next = nullptr;
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      if (writing_ || finished_) return;
      if (end_.has_value()) {
        if (!may_finish) return;
        finished_ = true;
        finish = *end_;
      } else if (!queue_.empty()) {
        writing_ = true;
        next = &queue_.front();  // stays valid: only OnWriteDone pops it
      }
    }
    if (finish.has_value()) {
      Finish(*finish);
    } else if (next != nullptr) {
      StartWrite(next);
    }
  }

  MetadataQuorum& quorum_;
  uint64_t id_ = 0;
  absl::Mutex mu_;
  std::deque<eddy::v1::MetadataDelta> queue_ ABSL_GUARDED_BY(mu_);  // front is being written
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<grpc::Status> end_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

ControllerService::ControllerService(MetadataQuorum& quorum, ClusterMembership& membership,
                                     ControllerOptions options, LeaderRebalanceOptions rebalance,
                                     const common::Clock& clock, std::string proposed_cluster_id)
    : quorum_(quorum),
      membership_(membership),
      options_(options),
      proposed_cluster_id_(std::move(proposed_cluster_id)),
      random_(std::random_device{}()),
      rebalancer_(rebalance, clock),
      coordinators_(membership.session_timeout(), clock) {}

bool ControllerService::Redirect(grpc::CallbackServerContext* context,
                                 grpc::ServerUnaryReactor* reactor) {
  if (quorum_.IsLeader()) return false;
  reactor->Finish(rpc::NotLeader(*context, quorum_.LeaderHint(),
                                 absl::StrCat("controller node ", quorum_.self().value())));
  return true;
}

void ControllerService::Finish(grpc::CallbackServerContext* context,
                               grpc::ServerUnaryReactor* reactor, const absl::Status& status) {
  if (raft::LeaderOf(status).has_value() || absl::IsUnavailable(status)) {
    reactor->Finish(rpc::NotLeader(*context, quorum_.LeaderHint(),
                                   absl::StrCat("controller node ", quorum_.self().value())));
    return;
  }
  reactor->Finish(rpc::ToGrpcStatus(status));
}

eddy::v1::WriteInfo ControllerService::WriteInfoOf(const QuorumWrite& write) const {
  eddy::v1::WriteInfo info;
  info.set_controller_id(quorum_.self().value());
  info.set_term(write.term.value());
  info.set_offset(write.index.value());
  return info;
}

template <typename Response>
grpc::ServerUnaryReactor* ControllerService::SubmitWrite(grpc::CallbackServerContext* context,
                                                         Response* response,
                                                         MetadataQuorum::Command command) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (Redirect(context, reactor)) return reactor;
  quorum_.Submit(std::move(command),
                 [this, context, reactor, response](absl::StatusOr<QuorumWrite> write) {
                   if (!write.ok()) return Finish(context, reactor, write.status());
                   if constexpr (requires { response->mutable_write(); }) {
                     *response->mutable_write() = WriteInfoOf(*write);
                   }
                   reactor->Finish(grpc::Status::OK);
                 });
  return reactor;
}

grpc::ServerUnaryReactor* ControllerService::RegisterMember(
    grpc::CallbackServerContext* context, const eddy::v1::RegisterMemberRequest* request,
    eddy::v1::RegisterMemberResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (Redirect(context, reactor)) return reactor;
  if (request->role() == eddy::v1::MEMBER_ROLE_BROKER) {
    RegisterBroker(context, reactor, request, response);
    return reactor;
  }
  absl::StatusOr<eddy::v1::RegisterMemberResponse> result = membership_.Register(*request);
  if (result.ok()) *response = *std::move(result);
  reactor->Finish(rpc::ToGrpcStatus(result.status()));
  return reactor;
}

void ControllerService::RegisterBroker(grpc::CallbackServerContext* context,
                                       grpc::ServerUnaryReactor* reactor,
                                       const eddy::v1::RegisterMemberRequest* request,
                                       eddy::v1::RegisterMemberResponse* response) {
  auto refused = std::make_shared<absl::Status>();
  quorum_.Submit(
      [this, request, refused](const MetadataImage& image) -> std::vector<MetadataRecord> {
        // The lease check runs inside the command so two incarnations cannot both pass it.
        *refused = membership_.CheckRegister(*request);
        if (!refused->ok()) return {};
        RegisterBrokerRequest broker{
            .broker_id = BrokerId(request->member_id()),
            .incarnation_id = request->incarnation_id(),
            .rack = request->rack(),
            .endpoints = {request->endpoints().begin(), request->endpoints().end()},
            .clean_shutdown = ShutDownCleanly(image, BrokerId(request->member_id()),
                                              BrokerEpoch(request->previous_member_epoch())),
            .version = request->version()};
        ControllerResult<ApiError> result = controller::RegisterBroker(image, broker, false);
        if (!result.response.ok()) {
          *refused = absl::FailedPreconditionError(result.response.message);
        }
        return std::move(result.records);
      },
      [this, context, reactor, request, response, refused](absl::StatusOr<QuorumWrite> write) {
        if (!write.ok()) return Finish(context, reactor, write.status());
        if (!refused->ok()) return reactor->Finish(rpc::ToGrpcStatus(*refused));
        absl::StatusOr<eddy::v1::RegisterMemberResponse> result =
            membership_.Register(*request, write->index.value());
        if (result.ok()) *response = *std::move(result);
        reactor->Finish(rpc::ToGrpcStatus(result.status()));
      });
}

grpc::ServerUnaryReactor* ControllerService::Heartbeat(grpc::CallbackServerContext* context,
                                                       const eddy::v1::HeartbeatRequest* request,
                                                       eddy::v1::HeartbeatResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (Redirect(context, reactor)) return reactor;
  *response = membership_.Heartbeat(*request);
  if (request->role() == eddy::v1::MEMBER_ROLE_BROKER && response->reregister() &&
      AdoptBroker(BrokerId(request->member_id()), request->member_epoch())) {
    *response = membership_.Heartbeat(*request);
  }
  if (request->role() == eddy::v1::MEMBER_ROLE_BROKER && !response->reregister()) {
    AfterBrokerHeartbeat(*request);
  }
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

void ControllerService::AfterBrokerHeartbeat(const eddy::v1::HeartbeatRequest& request) {
  const BrokerId broker(request.member_id());
  const int64_t epoch = request.member_epoch();
  bool unfence = false;
  bool shut_down = false;
  quorum_.Read([&](const MetadataImage& image) {
    const eddy::v1::BrokerRegistration* registration = image.FindBroker(broker);
    if (registration == nullptr || registration->broker_epoch() != epoch) return;
    shut_down = request.shutting_down() && !registration->in_controlled_shutdown();
    unfence = !request.shutting_down() && registration->fenced();
  });
  if (!unfence && !shut_down) return;
  quorum_.Submit(
      [broker, epoch, shut_down](const MetadataImage& image) {
        return shut_down ? BeginControlledShutdown(image, broker, BrokerEpoch(epoch)).records
                         : UnfenceBroker(image, broker, BrokerEpoch(epoch)).records;
      },
      [broker, shut_down](absl::StatusOr<QuorumWrite> write) {
        if (!write.ok()) {
          spdlog::warn("{} of broker {} failed: {}",
                       shut_down ? "controlled shutdown" : "unfencing", broker.value(),
                       write.status().ToString());
        }
      });
}

void ControllerService::Tick() {
  if (!quorum_.IsLeader()) {
    if (leading_term_ != Term(0)) {
      membership_.Clear();
      rebalancer_.StopLeading();
      leading_term_ = Term(0);
    }
    return;
  }
  const Term term = quorum_.status().node.term;
  WriteClusterId();
  if (term != leading_term_) {
    TakeOverLeases();
    rebalancer_.StartLeading();
    coordinators_.StartLeading();
    leading_term_ = term;
  }
  if (rebalancer_.Due()) RebalanceLeaders();
  for (const eddy::v1::MemberStatus& expired : membership_.ExpireLeases()) {
    if (expired.role() != eddy::v1::MEMBER_ROLE_BROKER) continue;
    const BrokerId broker(expired.member_id());
    quorum_.Submit(
        [broker](const MetadataImage& image) { return FenceBroker(image, broker).records; },
        [broker](absl::StatusOr<QuorumWrite> write) {
          if (write.ok()) {
            spdlog::warn("broker {} fenced at offset {}: lease expired", broker.value(),
                         write->index.value());
          } else {
            spdlog::warn("fencing broker {} failed: {}", broker.value(), write.status().ToString());
          }
        });
  }
  CreateOffsetsTopic();
  AssignCoordinatorShards();
}

void ControllerService::CreateOffsetsTopic() {
  if (offsets_topic_pending_) return;
  const std::vector<eddy::v1::MemberStatus> members = membership_.Members();
  bool due = false;
  quorum_.Read([&](const MetadataImage& image) {
    due = image.FindTopicByName(kOffsetsTopic) == nullptr &&
          image.UsableBrokers().size() >=
              static_cast<size_t>(options_.offsets_topic_replication_factor) &&
          !coordinators_.LiveCoordinators(image, members).empty();
  });
  if (!due) return;
  offsets_topic_pending_ = true;
  auto error = std::make_shared<ApiError>();
  quorum_.Submit(
      [this, error](const MetadataImage& image) {
        auto result = controller::CreateOffsetsTopic(image, options_, random_);
        *error = std::move(result.response);
        return std::move(result.records);
      },
      [this, error](absl::StatusOr<QuorumWrite> write) {
        offsets_topic_pending_ = false;  // the next tick checks again and, if needed, retries
        if (!write.ok()) {
          spdlog::warn("creating {} failed: {}", kOffsetsTopic, write.status().ToString());
        } else if (!error->ok()) {
          spdlog::warn("creating {} failed: {}", kOffsetsTopic, error->message);
        } else {
          spdlog::info("created {} ({} partitions, replication factor {}) at offset {}",
                       kOffsetsTopic, options_.offsets_topic_num_partitions,
                       options_.offsets_topic_replication_factor, write->index.value());
        }
      });
}

void ControllerService::AssignCoordinatorShards() {
  if (shards_pending_) return;
  bool due = false;
  quorum_.Read([&](const MetadataImage& image) {
    due = !coordinators_.AssignShards(image, membership_.Members()).records.empty();
  });
  if (!due) return;
  shards_pending_ = true;
  auto moves = std::make_shared<std::vector<ShardMove>>();
  auto live = std::make_shared<std::vector<NodeId>>();
  // The command plans again with the leases as they are when it runs (a coordinator may have
  // announced its shutdown since the check), on a copy of the planner (it belongs to Tick).
  quorum_.Submit(
      [this, planner = coordinators_, moves, live](const MetadataImage& image) {
        const std::vector<eddy::v1::MemberStatus> members = membership_.Members();
        *live = planner.LiveCoordinators(image, members);
        auto result = planner.AssignShards(image, members);
        *moves = std::move(result.response);
        return std::move(result.records);
      },
      [this, live, moves](absl::StatusOr<QuorumWrite> write) {
        shards_pending_ = false;
        if (!write.ok()) {
          spdlog::warn("assigning coordinator shards failed: {}", write.status().ToString());
          return;
        }
        if (moves->empty()) return;
        std::map<int32_t, int> gained;
        for (const ShardMove& move : *moves) ++gained[move.to.value()];
        std::string summary;
        for (const auto& [node, count] : gained) {
          absl::StrAppend(&summary, summary.empty() ? "" : ", ", count, " to ", node);
        }
        spdlog::info("moved {} group coordinator shards at offset {} ({}); live coordinators: {}",
                     moves->size(), write->index.value(), summary,
                     absl::StrJoin(*live, ",", [](std::string* out, NodeId id) {
                       absl::StrAppend(out, id.value());
                     }));
      });
}

void ControllerService::WriteClusterId() {
  if (cluster_id_written_ || cluster_id_pending_.exchange(true)) return;
  quorum_.Read(
      [&](const MetadataImage& image) { cluster_id_written_ = !image.cluster_id().empty(); });
  if (cluster_id_written_) {
    cluster_id_pending_ = false;
    return;
  }
  quorum_.Submit(
      [this](const MetadataImage& image) {
        std::vector<MetadataRecord> records;
        // Checked again here: commands run one at a time, so only one id is ever written.
        if (!image.cluster_id().empty()) return records;
        eddy::v1::ClusterIdRecord record;
        record.set_cluster_id(proposed_cluster_id_);
        records.push_back(Wrap(std::move(record)));
        return records;
      },
      [this](absl::StatusOr<QuorumWrite> write) {
        cluster_id_pending_ = false;  // the next tick checks again and, if needed, retries
        if (!write.ok()) {
          spdlog::warn("writing the cluster id failed: {}", write.status().ToString());
          return;
        }
        std::string id;
        quorum_.Read([&](const MetadataImage& image) { id = image.cluster_id(); });
        spdlog::info("cluster id {} at offset {}", id, write->index.value());
      });
}

void ControllerService::RebalanceLeaders() {
  auto elected = std::make_shared<size_t>(0);
  quorum_.Submit(
      [this, elected](const MetadataImage& image) {
        auto result = rebalancer_.Rebalance(image);
        for (const PartitionResult& partition : result.response) {
          if (partition.error.ok()) ++*elected;
        }
        return std::move(result.records);
      },
      [elected](absl::StatusOr<QuorumWrite> write) {
        if (!write.ok()) {
          spdlog::warn("preferred leader rebalance failed: {}", write.status().ToString());
        } else if (*elected > 0) {
          spdlog::info("preferred leader rebalance moved {} partition leaderships at offset {}",
                       *elected, write->index.value());
        }
      });
}

namespace {

eddy::v1::MemberStatus BrokerMember(const eddy::v1::BrokerRegistration& registration) {
  eddy::v1::MemberStatus status;
  status.set_role(eddy::v1::MEMBER_ROLE_BROKER);
  status.set_member_id(registration.broker_id());
  status.set_incarnation_id(registration.incarnation_id());
  status.set_member_epoch(registration.broker_epoch());
  status.set_state(registration.fenced()                   ? eddy::v1::MEMBER_STATE_FENCED
                   : registration.in_controlled_shutdown() ? eddy::v1::MEMBER_STATE_SHUTTING_DOWN
                                                           : eddy::v1::MEMBER_STATE_ACTIVE);
  status.set_rack(registration.rack());
  status.set_version(registration.version());
  *status.mutable_endpoints() = registration.endpoints();
  return status;
}

}  // namespace

void ControllerService::TakeOverLeases() {
  // Members that registered or heartbeated here between the election and this tick keep what
  // they have; the other brokers of the image get a fresh lease.
  std::set<int32_t> known;
  for (const eddy::v1::MemberStatus& member : membership_.Members()) {
    if (member.role() == eddy::v1::MEMBER_ROLE_BROKER) known.insert(member.member_id());
  }
  quorum_.Read([&](const MetadataImage& image) {
    for (const auto& [id, registration] : image.brokers()) {
      if (!known.contains(id.value())) membership_.Adopt(BrokerMember(registration));
    }
  });
  spdlog::info("controller {} leads the metadata quorum in term {}", quorum_.self().value(),
               quorum_.status().node.term.value());
}

bool ControllerService::AdoptBroker(BrokerId broker, int64_t epoch) {
  bool adopted = false;
  quorum_.Read([&](const MetadataImage& image) {
    const eddy::v1::BrokerRegistration* registration = image.FindBroker(broker);
    if (registration == nullptr || registration->broker_epoch() != epoch) return;
    membership_.Adopt(BrokerMember(*registration));
    adopted = true;
  });
  return adopted;
}

grpc::ServerUnaryReactor* ControllerService::GetClusterStatus(
    grpc::CallbackServerContext* context, const eddy::v1::GetClusterStatusRequest*,
    eddy::v1::GetClusterStatusResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (Redirect(context, reactor)) return reactor;
  std::string cluster_id;
  quorum_.Read([&](const MetadataImage& image) { cluster_id = image.cluster_id(); });
  if (cluster_id.empty()) {
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                 "the new cluster's id is not written to the metadata log yet"));
    return reactor;
  }
  response->set_cluster_id(cluster_id);
  response->set_controller_id(quorum_.self().value());
  for (eddy::v1::MemberStatus& member : membership_.Members()) {
    *response->add_members() = std::move(member);
  }
  const raft::RaftDriverStatus status = quorum_.status();
  eddy::v1::QuorumStatus* quorum = response->mutable_quorum();
  quorum->set_node_id(quorum_.self().value());
  quorum->set_leader_id(status.node.leader.value());
  quorum->set_term(status.node.term.value());
  quorum->set_commit_index(status.node.commit.value());
  quorum->set_applied_index(status.node.applied.value());
  for (NodeId voter : status.node.conf.voters) quorum->add_voters(voter.value());
  const MetadataStats stats = quorum_.stats();
  eddy::v1::MetadataHealth* health = response->mutable_health();
  health->set_brokers(stats.brokers);
  health->set_fenced_brokers(stats.fenced_brokers);
  health->set_topics(stats.topics);
  health->set_partitions(stats.partitions);
  health->set_offline_partitions(stats.offline_partitions);
  health->set_under_replicated_partitions(stats.under_replicated_partitions);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerWriteReactor<eddy::v1::MetadataDelta>* ControllerService::WatchMetadata(
    grpc::CallbackServerContext*, const eddy::v1::WatchMetadataRequest* request) {
  return new WatchReactor(quorum_, request->from_offset());
}

grpc::ServerUnaryReactor* ControllerService::CreateTopics(
    grpc::CallbackServerContext* context, const eddy::v1::CreateTopicsRequest* request,
    eddy::v1::CreateTopicsResponse* response) {
  return SubmitWrite(context, response, [this, request, response](const MetadataImage& image) {
    auto result = controller::CreateTopics(image, options_, *request, random_);
    *response = std::move(result.response);
    return std::move(result.records);
  });
}

grpc::ServerUnaryReactor* ControllerService::DeleteTopics(
    grpc::CallbackServerContext* context, const eddy::v1::DeleteTopicsRequest* request,
    eddy::v1::DeleteTopicsResponse* response) {
  return SubmitWrite(context, response, [request, response](const MetadataImage& image) {
    auto result = controller::DeleteTopics(image, *request);
    *response = std::move(result.response);
    return std::move(result.records);
  });
}

grpc::ServerUnaryReactor* ControllerService::CreatePartitions(
    grpc::CallbackServerContext* context, const eddy::v1::CreatePartitionsRequest* request,
    eddy::v1::CreatePartitionsResponse* response) {
  return SubmitWrite(context, response, [this, request, response](const MetadataImage& image) {
    auto result = controller::CreatePartitions(image, options_, *request, random_);
    *response = std::move(result.response);
    return std::move(result.records);
  });
}

grpc::ServerUnaryReactor* ControllerService::AlterPartition(
    grpc::CallbackServerContext* context, const eddy::v1::AlterPartitionRequest* request,
    eddy::v1::AlterPartitionResponse* response) {
  return SubmitWrite(context, response, [request, response](const MetadataImage& image) {
    auto result = controller::AlterPartition(image, *request);
    response->set_error_code(result.response.error.code_value());
    response->set_error_message(result.response.error.message);
    *response->mutable_partition() =
        ToPartitionMetadata(request->partition().partition(), result.response.partition);
    return std::move(result.records);
  });
}

// DescribeConfigs runs as a command that writes nothing: it reads the leader's image behind the
// quorum's ReadIndex barrier, so a describe after an acknowledged alter sees it.
grpc::ServerUnaryReactor* ControllerService::DescribeConfigs(
    grpc::CallbackServerContext* context, const eddy::v1::DescribeConfigsRequest* request,
    eddy::v1::DescribeConfigsResponse* response) {
  return SubmitWrite(context, response, [request, response](const MetadataImage& image) {
    *response = ToProto(controller::DescribeConfigs(image, FromProto(*request)));
    return std::vector<MetadataRecord>();
  });
}

grpc::ServerUnaryReactor* ControllerService::AlterConfigs(
    grpc::CallbackServerContext* context, const eddy::v1::AlterConfigsRequest* request,
    eddy::v1::AlterConfigsResponse* response) {
  return SubmitWrite(context, response, [request, response](const MetadataImage& image) {
    auto result = controller::AlterConfigs(image, FromProto(*request), request->validate_only());
    ToProto(result.response, response->mutable_results());
    return std::move(result.records);
  });
}

grpc::ServerUnaryReactor* ControllerService::IncrementalAlterConfigs(
    grpc::CallbackServerContext* context, const eddy::v1::IncrementalAlterConfigsRequest* request,
    eddy::v1::IncrementalAlterConfigsResponse* response) {
  return SubmitWrite(context, response, [request, response](const MetadataImage& image) {
    auto result =
        controller::IncrementalAlterConfigs(image, FromProto(*request), request->validate_only());
    ToProto(result.response, response->mutable_results());
    return std::move(result.records);
  });
}

grpc::ServerUnaryReactor* ControllerService::ElectLeaders(
    grpc::CallbackServerContext* context, const eddy::v1::ElectLeadersRequest* request,
    eddy::v1::ElectLeadersResponse* response) {
  if (request->election_type() != 0 && request->election_type() != 1) {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                 absl::StrCat("unknown election type ", request->election_type(),
                                              " (Kafka's ElectionType: 0 PREFERRED, 1 UNCLEAN)")));
    return reactor;
  }
  return SubmitWrite(context, response, [request, response](const MetadataImage& image) {
    auto result = controller::ElectLeaders(image, FromProto(*request));
    *response = ToProto(result.response);
    return std::move(result.records);
  });
}

grpc::ServerUnaryReactor* ControllerService::AllocateProducerIds(
    grpc::CallbackServerContext* context, const eddy::v1::AllocateProducerIdsRequest* request,
    eddy::v1::AllocateProducerIdsResponse* response) {
  return SubmitWrite(context, response, [this, request, response](const MetadataImage& image) {
    auto result = controller::AllocateProducerIds(image, options_, BrokerId(request->broker_id()),
                                                  BrokerEpoch(request->broker_epoch()));
    *response = ToProto(result.response);
    return std::move(result.records);
  });
}

}  // namespace eddy::controller
