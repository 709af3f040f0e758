#include "services/broker/replica_manager.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/rpc/leader_hint.h"
#include "spdlog/spdlog.h"

namespace eddy::broker {

using kafka::ErrorCode;

namespace {

std::vector<BrokerId> BrokerIds(const google::protobuf::RepeatedField<int32_t>& ids) {
  std::vector<BrokerId> out;
  out.reserve(ids.size());
  for (int32_t id : ids) out.emplace_back(id);
  return out;
}

PartitionAssignment AssignmentOf(const eddy::v1::PartitionMetadata& p) {
  return PartitionAssignment{.leader = BrokerId(p.leader()),
                             .leader_epoch = LeaderEpoch(p.leader_epoch()),
                             .partition_epoch = PartitionEpoch(p.partition_epoch()),
                             .replicas = BrokerIds(p.replicas()),
                             .isr = BrokerIds(p.isr())};
}

}  // namespace

ReplicaManager::ReplicaManager(ReplicaManagerOptions options, storage::FileSystem& fs,
                               common::Clock& clock, storage::StorageMetrics* storage_metrics,
                               AlterPartitionSender alter_partition,
                               FollowersChanged followers_changed)
    : options_(std::move(options)),
      fs_(fs),
      clock_(clock),
      storage_metrics_(storage_metrics),
      alter_partition_(std::move(alter_partition)),
      followers_changed_(std::move(followers_changed)),
      cleaner_(options_.cleaner, clock) {}

ReplicaManager::~ReplicaManager() { Stop().IgnoreError(); }

std::string ReplicaManager::DirOf(const TopicPartitionKey& key) const {
  return absl::StrCat(options_.log_dir, "/", key.topic, "-", key.partition);
}

PartitionEvents ReplicaManager::EventsFor(const TopicPartitionKey& key) {
  return PartitionEvents{.alter_partition =
                             [this, key](const AlterPartitionProposal& proposal) {
                               SendAlterPartition(key, proposal);
                             },
                         .readable_changed = [this] { PokeDelayed(); }};
}

void ReplicaManager::SendAlterPartition(const TopicPartitionKey& key,
                                        const AlterPartitionProposal& proposal) {
  AlterPartitionCall call;
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = partitions_.find(key);
    if (it == partitions_.end()) return;
    call.topic_id = it->second.topic_id;
    call.broker_epoch = broker_epoch_;
  }
  call.partition = key;
  call.broker = options_.self;
  call.proposal = proposal;
  spdlog::info("{}: proposing ISR {} (leader epoch {}, partition epoch {})", key.ToString(),
               fmt::join(proposal.new_isr, ","), proposal.leader_epoch, proposal.partition_epoch);
  alter_partition_(std::move(call), [this, key, proposal](AlterPartitionAnswer answer) {
    std::shared_ptr<Partition> partition = Get(key);
    if (partition == nullptr) return;
    const int delta = partition->OnAlterPartitionResponse(proposal.leader_epoch, answer.error,
                                                          answer.isr, answer.partition_epoch);
    if (delta < 0) isr_shrinks_.fetch_add(1);
    if (delta > 0) isr_expands_.fetch_add(1);
    if (answer.error != ErrorCode::kNone) {
      spdlog::info("{}: AlterPartition answered {}", key.ToString(),
                   kafka::ErrorName(static_cast<int16_t>(answer.error)));
    }
  });
}

void ReplicaManager::ApplyMetadata(const eddy::v1::MetadataDelta& delta) {
  std::vector<std::pair<std::shared_ptr<Partition>, PartitionAssignment>> to_apply;
  std::vector<std::pair<std::string, std::shared_ptr<Partition>>> to_delete;
  std::vector<FollowerAssignment> followers;
  std::set<BrokerId> ineligible;
  std::vector<std::shared_ptr<Partition>> eligibility_changed;
  {
    absl::MutexLock lock(&mu_);
    const std::set<BrokerId> ineligible_before = ineligible_brokers_;
    if (delta.snapshot()) {
      broker_targets_.clear();
      topics_.clear();
      topic_ids_.clear();
      ineligible_brokers_.clear();
    }
    for (const eddy::v1::MemberStatus& member : delta.members()) {
      if (member.role() != eddy::v1::MEMBER_ROLE_BROKER) continue;
      const BrokerId id(member.member_id());
      // KIP-841: a fenced or shutting-down broker is not added to any ISR.
      if (member.state() == eddy::v1::MEMBER_STATE_FENCED ||
          member.state() == eddy::v1::MEMBER_STATE_SHUTTING_DOWN) {
        ineligible_brokers_.insert(id);
      } else {
        ineligible_brokers_.erase(id);
      }
      if (member.state() == eddy::v1::MEMBER_STATE_UNSPECIFIED) {
        broker_targets_.erase(id);
        continue;
      }
      for (const eddy::v1::Endpoint& endpoint : member.endpoints()) {
        if (endpoint.name() == "grpc") broker_targets_[id] = rpc::TargetOf(endpoint);
      }
      if (id == options_.self) broker_epoch_ = member.member_epoch();
    }
    std::set<TopicPartitionKey> assigned;
    for (const eddy::v1::TopicMetadata& topic : delta.topics()) {
      auto& leaders = topics_[topic.name()];
      leaders.clear();
      topic_ids_[topic.name()] = topic.topic_id().value();
      std::map<std::string, std::string> configs(topic.configs().begin(), topic.configs().end());
      ParsedTopicConfig parsed = ParseTopicConfig(configs);
      for (const std::string& error : parsed.errors) {
        spdlog::warn("topic {}: config {} (using the default)", topic.name(), error);
      }
      for (const eddy::v1::PartitionMetadata& p : topic.partitions()) {
        leaders[p.partition()] = BrokerId(p.leader());
        const TopicPartitionKey key{topic.name(), p.partition()};
        const bool mine = std::find(p.replicas().begin(), p.replicas().end(),
                                    options_.self.value()) != p.replicas().end();
        auto it = partitions_.find(key);
        if (it != partitions_.end() && (!mine || it->second.topic_id != topic.topic_id().value())) {
          // Reassigned away, or a new topic with the old name: the old data goes (at once in the
          // second case, since the new replica opens the same directory).
          cleaner_.RemoveLog(&it->second.partition->log());
          if (mine) {
            it->second.partition->Close().IgnoreError();
            if (absl::Status s = fs_.RemoveDirRecursive(DirOf(key)); !s.ok()) {
              spdlog::error("cannot delete {}: {}", DirOf(key), s.ToString());
            }
          } else {
            to_delete.emplace_back(DirOf(key), it->second.partition);
          }
          partitions_.erase(it);
          it = partitions_.end();
        }
        if (!mine) continue;
        assigned.insert(key);
        if (it == partitions_.end()) {
          PartitionOptions options{.self = options_.self,
                                   .replica_lag_time_max = options_.replica_lag_time_max,
                                   .producer_state = options_.producer_state};
          absl::StatusOr<std::unique_ptr<Partition>> opened = Partition::Open(
              fs_, DirOf(key), parsed.config, options, EventsFor(key), clock_, storage_metrics_);
          if (!opened.ok()) {
            spdlog::error("{}: cannot open: {}", key.ToString(), opened.status().ToString());
            continue;
          }
          Hosted_ hosted{.topic_id = topic.topic_id().value(),
                         .partition = std::shared_ptr<Partition>(std::move(*opened)),
                         .leader = BrokerId(p.leader())};
          if (parsed.config.log.cleanup_compact) cleaner_.AddLog(&hosted.partition->log());
          it = partitions_.emplace(key, std::move(hosted)).first;
        } else {
          it->second.partition->UpdateConfig(parsed.config);
        }
        it->second.leader = BrokerId(p.leader());
        it->second.leader_epoch = LeaderEpoch(p.leader_epoch());
        to_apply.emplace_back(it->second.partition, AssignmentOf(p));
      }
    }
    std::set<std::string> deleted(delta.deleted_topics().begin(), delta.deleted_topics().end());
    for (const std::string& name : deleted) {
      topics_.erase(name);
      topic_ids_.erase(name);
    }
    for (auto it = partitions_.begin(); it != partitions_.end();) {
      const bool gone =
          deleted.contains(it->first.topic) || (delta.snapshot() && !assigned.contains(it->first));
      if (!gone) {
        ++it;
        continue;
      }
      spdlog::info("{}: no longer hosted here; deleting its data", it->first.ToString());
      to_delete.emplace_back(DirOf(it->first), it->second.partition);
      cleaner_.RemoveLog(&it->second.partition->log());
      it = partitions_.erase(it);
    }
    if (delta.snapshot() && !stray_checked_) {
      stray_checked_ = true;
      RemoveStrayDirectories();
    }
    followers = FollowersLocked();
    ineligible = ineligible_brokers_;
    if (ineligible != ineligible_before) {
      for (const auto& [key, hosted] : partitions_) eligibility_changed.push_back(hosted.partition);
    }
  }
  // Outside mu_: an admitted produce holds the fence while it takes partition locks.
  group_shard_fence_.Apply(delta);
  metadata_offset_.store(delta.offset());
  for (const std::shared_ptr<Partition>& partition : eligibility_changed) {
    partition->SetIneligibleReplicas(ineligible);
  }
  for (auto& [partition, assignment] : to_apply) {
    partition->SetIneligibleReplicas(ineligible);
    partition->ApplyAssignment(assignment);
  }
  followers_changed_(std::move(followers));
  for (auto& [dir, partition] : to_delete) {
    partition->Close().IgnoreError();
    if (absl::Status status = fs_.RemoveDirRecursive(dir); !status.ok()) {
      spdlog::error("cannot delete {}: {}", dir, status.ToString());
    }
  }
  PokeDelayed();
}

void ReplicaManager::RemoveStrayDirectories() {
  absl::StatusOr<std::vector<std::string>> names = fs_.ListDir(options_.log_dir);
  if (!names.ok()) return;
  std::set<std::string> in_use;
  for (const auto& [key, hosted] : partitions_)
    in_use.insert(absl::StrCat(key.topic, "-", key.partition));
  for (const std::string& name : *names) {
    // Dot files are the broker's own markers (the clean-shutdown file), not partitions.
    if (in_use.contains(name) || absl::StartsWith(name, ".")) continue;
    spdlog::info("deleting {}/{}: not assigned to this broker", options_.log_dir, name);
    if (absl::Status status = fs_.RemoveDirRecursive(absl::StrCat(options_.log_dir, "/", name));
        !status.ok()) {
      spdlog::error("cannot delete {}/{}: {}", options_.log_dir, name, status.ToString());
    }
  }
}

std::vector<FollowerAssignment> ReplicaManager::FollowersLocked() const {
  std::vector<FollowerAssignment> followers;
  for (const auto& [key, hosted] : partitions_) {
    if (hosted.leader == options_.self || hosted.leader.value() < 0) continue;
    auto target = broker_targets_.find(hosted.leader);
    followers.push_back(FollowerAssignment{
        .key = key,
        .partition = hosted.partition,
        .leader = hosted.leader,
        .leader_epoch = hosted.leader_epoch,
        .leader_target = target == broker_targets_.end() ? std::string() : target->second});
  }
  return followers;
}

std::shared_ptr<Partition> ReplicaManager::Get(const TopicPartitionKey& key) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = partitions_.find(key);
  return it == partitions_.end() ? nullptr : it->second.partition;
}

std::vector<std::pair<TopicPartitionKey, std::shared_ptr<Partition>>> ReplicaManager::Hosted()
    const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<std::pair<TopicPartitionKey, std::shared_ptr<Partition>>> hosted;
  hosted.reserve(partitions_.size());
  for (const auto& [key, h] : partitions_) hosted.emplace_back(key, h.partition);
  return hosted;
}

bool ReplicaManager::KnowsPartition(const TopicPartitionKey& key) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = topics_.find(key.topic);
  return it != topics_.end() && it->second.contains(key.partition);
}

void ReplicaManager::AddDelayed(std::shared_ptr<DelayedOperation> operation) {
  {
    absl::MutexLock lock(&delayed_mu_);
    delayed_.push_back(operation);
  }
  // Data may have arrived between the caller's check and the parking.
  if (operation->TryComplete(false)) PokeDelayed();
}

void ReplicaManager::PokeDelayed() {
  std::vector<std::shared_ptr<DelayedOperation>> pending;
  {
    absl::MutexLock lock(&delayed_mu_);
    if (delayed_.empty()) return;
    pending = delayed_;
  }
  std::vector<DelayedOperation*> done;
  for (const auto& operation : pending) {
    if (operation->TryComplete(false)) done.push_back(operation.get());
  }
  if (done.empty()) return;
  absl::MutexLock lock(&delayed_mu_);
  std::erase_if(delayed_, [&](const std::shared_ptr<DelayedOperation>& operation) {
    return std::find(done.begin(), done.end(), operation.get()) != done.end();
  });
}

void ReplicaManager::Start() {
  cleaner_.Start();
  ticker_ = std::thread([this] { Run(); });
}

void ReplicaManager::Run() {
  absl::Time next_retention = clock_.Now() + options_.retention_check_interval;
  absl::Time next_flush = clock_.Now() + absl::Seconds(1);
  while (true) {
    {
      absl::MutexLock lock(&run_mu_);
      if (run_mu_.AwaitWithTimeout(absl::Condition(&stopping_), options_.tick_interval)) return;
    }
    const auto hosted = Hosted();
    for (const auto& [key, partition] : hosted) partition->Tick();
    // Deadlines of parked fetches.
    const absl::Time now = clock_.Now();
    std::vector<std::shared_ptr<DelayedOperation>> expired;
    {
      absl::MutexLock lock(&delayed_mu_);
      for (auto it = delayed_.begin(); it != delayed_.end();) {
        if ((*it)->deadline() <= now) {
          expired.push_back(std::move(*it));
          it = delayed_.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (const auto& operation : expired) operation->TryComplete(true);
    if (now >= next_flush) {
      next_flush = now + absl::Seconds(1);
      for (const auto& [key, partition] : hosted) {
        if (absl::Status s = partition->log().FlushRolled(); !s.ok()) {
          spdlog::error("{}: flush: {}", key.ToString(), s.ToString());
        }
        partition->log().MaybeFlush().IgnoreError();
      }
    }
    if (now >= next_retention) {
      next_retention = now + options_.retention_check_interval;
      for (const auto& [key, partition] : hosted) {
        if (!partition->config().log.cleanup_delete) continue;
        absl::StatusOr<storage::RetentionResult> result = partition->log().ApplyRetention();
        if (!result.ok()) {
          spdlog::error("{}: retention: {}", key.ToString(), result.status().ToString());
        } else if (result->segments_deleted > 0) {
          spdlog::info("{}: retention deleted {} segments ({} bytes)", key.ToString(),
                       result->segments_deleted, result->bytes_deleted);
        }
      }
    }
  }
}

absl::Status ReplicaManager::Stop() {
  {
    absl::MutexLock lock(&run_mu_);
    if (stopping_) return absl::OkStatus();
    stopping_ = true;
  }
  if (ticker_.joinable()) ticker_.join();
  cleaner_.Stop();
  std::vector<std::shared_ptr<DelayedOperation>> pending;
  {
    absl::MutexLock lock(&delayed_mu_);
    pending.swap(delayed_);
  }
  for (const auto& operation : pending) operation->TryComplete(true);
  // Closed and released now, while the metrics registry the logs report to still exists; requests
  // still arriving find no partition (NOT_LEADER_OR_FOLLOWER).
  std::map<TopicPartitionKey, Hosted_> partitions;
  {
    absl::MutexLock lock(&mu_);
    partitions.swap(partitions_);
  }
  absl::Status first_error;
  for (const auto& [key, hosted] : partitions) {
    if (absl::Status status = hosted.partition->Close(); !status.ok()) {
      spdlog::error("{}: close: {}", key.ToString(), status.ToString());
      first_error.Update(status);
    }
  }
  return first_error;
}

PartitionCounts ReplicaManager::Counts() const {
  PartitionCounts counts;
  std::vector<std::shared_ptr<Partition>> hosted;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [topic, leaders] : topics_) {
      for (const auto& [index, leader] : leaders) {
        if (leader.value() < 0) ++counts.offline;
      }
    }
    for (const auto& [key, h] : partitions_) hosted.push_back(h.partition);
  }
  counts.partitions = static_cast<int64_t>(hosted.size());
  for (const auto& partition : hosted) {
    if (partition->role() != ReplicaRole::kLeader) continue;
    ++counts.leaders;
    if (partition->UnderReplicated()) ++counts.under_replicated;
    counts.max_follower_lag = std::max(counts.max_follower_lag, partition->MaxFollowerLag());
  }
  return counts;
}

}  // namespace eddy::broker
