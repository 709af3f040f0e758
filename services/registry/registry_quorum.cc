#include "services/registry/registry_quorum.h"

#include <grpcpp/security/credentials.h>

#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "libs/common/status_macros.h"
#include "libs/raft/voters.h"
#include "services/registry/registry_errors.h"
#include "spdlog/spdlog.h"

namespace eddy::registry {
namespace {

// Applied entries whose outcome is kept for the writer waiting on it. The writer's callback runs
// right after the entry applies, so this only has to cover entries applied in one driver pass.
constexpr size_t kKeptResults = 1024;

// IsRefusal says whether an apply error is the state refusing the command (a Confluent 4xxxx
// code: every replica refuses it alike) rather than the store failing.
bool IsRefusal(const absl::Status& status) { return ErrorCodeOf(status) < 50000; }

}  // namespace

absl::StatusOr<std::vector<RegistryVoter>> ParseRegistryVoters(std::string_view spec) {
  EDDY_ASSIGN_OR_RETURN(std::vector<raft::Voter> parsed, raft::ParseVoters(spec));
  std::vector<RegistryVoter> voters;
  for (const raft::Voter& voter : parsed) {
    voters.push_back({.id = voter.id, .target = voter.target()});
  }
  return voters;
}

// StateMachineAdapter is the driver's view of the store.
class RegistryQuorum::StateMachineAdapter final : public raft::StateMachine {
 public:
  explicit StateMachineAdapter(RegistryQuorum& quorum) : quorum_(quorum) {}

  absl::Status Apply(const raft::Entry& entry) override {
    const int64_t index = entry.index.value();
    absl::StatusOr<CommandResult> result = quorum_.store_.ApplyEncoded(entry.data, index);
    if (!result.ok() && !IsRefusal(result.status())) {
      // The store cannot hold the entry: stop this replica rather than diverge from the others.
      spdlog::critical("registry: cannot apply log entry {}: {}", index,
                       result.status().ToString());
      return result.status();
    }
    quorum_.SetApplied(index, std::move(result));
    return absl::OkStatus();
  }

  std::string Snapshot() override {
    absl::StatusOr<std::string> snapshot = quorum_.store_.Snapshot();
    if (!snapshot.ok()) {
      // The driver would compact its log behind this snapshot: an empty one would lose the state.
      // RocksDB failed to read its own data; the replica restarts from what is durable.
      spdlog::critical("registry: cannot snapshot the store: {}", snapshot.status().ToString());
      std::abort();
    }
    return *std::move(snapshot);
  }

  absl::Status Restore(const raft::Snapshot& snapshot) override {
    const int64_t index = snapshot.metadata.index.value();
    EDDY_RETURN_IF_ERROR(quorum_.store_.Restore(snapshot.data, index));
    quorum_.SetApplied(index, std::nullopt);
    return absl::OkStatus();
  }

 private:
  RegistryQuorum& quorum_;
};

absl::StatusOr<std::unique_ptr<RegistryQuorum>> RegistryQuorum::Create(
    RegistryQuorumOptions options, RegistryStore& store) {
  bool self_listed = false;
  for (const RegistryVoter& voter : options.voters) self_listed |= voter.id == options.self;
  if (!self_listed) {
    return absl::InvalidArgumentError(
        absl::StrCat("node id ", options.self.value(), " is not in the quorum voter list"));
  }
  EDDY_ASSIGN_OR_RETURN(std::unique_ptr<raft::RocksDbStorage> storage,
                        raft::RocksDbStorage::Open(options.dir));
  std::unique_ptr<RegistryQuorum> quorum(
      new RegistryQuorum(std::move(options), std::move(storage), store));
  EDDY_RETURN_IF_ERROR(quorum->Init());
  return quorum;
}

RegistryQuorum::RegistryQuorum(RegistryQuorumOptions options,
                               std::unique_ptr<raft::RocksDbStorage> storage, RegistryStore& store)
    : options_(std::move(options)),
      storage_(std::move(storage)),
      store_(store),
      channels_(grpc::InsecureChannelCredentials(),
                {.min_reconnect_backoff = absl::Milliseconds(20),
                 .max_reconnect_backoff = absl::Milliseconds(250)}),
      transport_({.self = options_.self,
                  .reconnect = {.initial = absl::Milliseconds(20), .max = absl::Milliseconds(250)}},
                 channels_),
      adapter_(std::make_unique<StateMachineAdapter>(*this)) {}

absl::Status RegistryQuorum::Init() {
  // A founding member starts from the voter set as entry 1; a restarted one from its log.
  EDDY_ASSIGN_OR_RETURN(LogIndex last, storage_->LastIndex());
  if (last == LogIndex(0) && !store_.IsEmpty()) {
    // The other replicas would start empty: this one would silently diverge from them.
    return absl::FailedPreconditionError(
        "the registry store holds data the Raft log does not: a replica starts from an empty "
        "data directory (move a single registry's data with eddyctl registry export|import)");
  }
  if (LogIndex(store_.AppliedIndex()) > last) {
    return absl::FailedPreconditionError(
        absl::StrCat("the registry store applied log entry ", store_.AppliedIndex(),
                     " but the Raft log ends at ", last.value(), ": the Raft log under ",
                     options_.dir, " is not this store's"));
  }
  if (last == LogIndex(0)) {
    raft::ConfState conf;
    for (const RegistryVoter& voter : options_.voters) conf.voters.insert(voter.id);
    EDDY_RETURN_IF_ERROR(storage_->Save(raft::Bootstrap(conf)));
  }
  for (const RegistryVoter& voter : options_.voters) {
    if (voter.id != options_.self) transport_.SetPeer(voter.id, voter.target);
  }
  raft::RaftDriverOptions driver_options;
  driver_options.raft.id = options_.self;
  driver_options.raft.election_tick = options_.election_ticks;
  driver_options.raft.seed = static_cast<uint64_t>(absl::ToUnixNanos(absl::Now())) ^
                             static_cast<uint64_t>(options_.self.value());
  // The store is persistent: it resumes after the entry it last applied, unless the log was
  // compacted past it (then the driver restores the stored snapshot).
  EDDY_ASSIGN_OR_RETURN(raft::Snapshot snapshot, storage_->LoadSnapshot());
  const int64_t applied = store_.AppliedIndex();
  if (LogIndex(applied) >= snapshot.metadata.index) driver_options.raft.applied = LogIndex(applied);
  driver_options.tick_interval = options_.tick_interval;
  driver_options.snapshot_interval_entries = options_.snapshot_interval_entries;
  driver_options.request_timeout = options_.request_timeout;
  {
    absl::MutexLock lock(&mu_);
    applied_ = applied;
  }
  EDDY_ASSIGN_OR_RETURN(driver_, raft::RaftDriver::Create(driver_options, *storage_, *adapter_,
                                                          transport_, common::Clock::Real()));
  return absl::OkStatus();
}

RegistryQuorum::~RegistryQuorum() {
  StopDriver();
  transport_.Shutdown();
}

void RegistryQuorum::AddMetrics(metrics::Registry& metrics) {
  metrics.AddGaugeCallback("eddy_registry_raft_term", "Current Raft term of this replica.", [this] {
    return static_cast<double>(driver_->status().node.term.value());
  });
  metrics.AddGaugeCallback(
      "eddy_registry_raft_commit_index", "Highest registry log index known committed.",
      [this] { return static_cast<double>(driver_->status().node.commit.value()); });
  metrics.AddGaugeCallback("eddy_registry_raft_applied_index",
                           "Last registry log index the local store holds.",
                           [this] { return static_cast<double>(AppliedIndex()); });
  metrics.AddCounterCallback(
      "eddy_registry_raft_leader_changes_total", "Times this replica saw a different leader.",
      [this] { return static_cast<double>(driver_->status().leader_changes); });
  metrics.AddGaugeCallback("eddy_registry_leader", "1 on the registry quorum's leader, else 0.",
                           [this] { return IsLeader() ? 1.0 : 0.0; });
}

void RegistryQuorum::Start() { driver_->Start(); }

void RegistryQuorum::StopDriver() {
  if (driver_ != nullptr) driver_->Stop();  // null when Create failed before building it
}

absl::Status RegistryQuorum::ToRegistryError(const absl::Status& status) const {
  switch (status.code()) {
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kUnavailable: {
      // Not (or no longer) the leader, no leader elected, or the driver stopped.
      const NodeId leader = raft::LeaderOf(status).value_or(raft::kNoNode);
      for (const RegistryVoter& voter : options_.voters) {
        if (voter.id == leader && leader != options_.self) {
          return RegistryError(
              ErrorCode::kUnknownLeader,
              absl::StrCat("This replica is not the leader; the leader is replica ", leader.value(),
                           " at ", voter.target));
        }
      }
      return RegistryError(ErrorCode::kUnknownLeader,
                           "Unknown leader: the registry replicas are electing one; retry shortly");
    }
    case absl::StatusCode::kDeadlineExceeded:
      return RegistryError(ErrorCode::kOperationTimeout,
                           absl::StrCat("Operation timed out: ", status.message()));
    default:
      // Aborted (another leader's entry replaced it) or Unknown (a snapshot covered it).
      return RegistryError(
          ErrorCode::kStoreError,
          absl::StrCat("Leadership changed while writing; the write may not have taken effect: ",
                       status.message()));
  }
}

absl::Status RegistryQuorum::Sync() {
  auto done = std::make_shared<std::pair<absl::Notification, absl::Status>>();
  driver_->LinearizableRead([done](absl::Status status) {
    done->second = std::move(status);
    done->first.Notify();
  });
  done->first.WaitForNotification();
  return done->second.ok() ? absl::OkStatus() : ToRegistryError(done->second);
}

absl::StatusOr<CommandResult> RegistryQuorum::Write(const eddy::v1::RegistryCommand& command) {
  struct Outcome {
    absl::Notification done;
    absl::StatusOr<LogIndex> index;
  };
  auto outcome = std::make_shared<Outcome>();
  driver_->Propose(command.SerializeAsString(), [outcome](absl::StatusOr<LogIndex> index) {
    outcome->index = std::move(index);
    outcome->done.Notify();
  });
  outcome->done.WaitForNotification();
  if (!outcome->index.ok()) return ToRegistryError(outcome->index.status());
  absl::MutexLock lock(&mu_);
  auto it = results_.find(outcome->index->value());
  if (it == results_.end()) {
    return RegistryError(ErrorCode::kStoreError,
                         absl::StrCat("The outcome of log entry ", outcome->index->value(),
                                      " is no longer known; the write was applied"));
  }
  absl::StatusOr<CommandResult> result = std::move(it->second);
  results_.erase(it);
  return result;
}

void RegistryQuorum::SetApplied(int64_t index,
                                std::optional<absl::StatusOr<CommandResult>> result) {
  absl::MutexLock lock(&mu_);
  applied_ = index;
  if (result.has_value()) {
    results_.insert_or_assign(index, *std::move(result));
    while (results_.size() > kKeptResults) results_.erase(results_.begin());
  }
}

bool RegistryQuorum::IsLeader() const { return driver_->status().node.role == raft::Role::kLeader; }

std::optional<std::string> RegistryQuorum::LeaderTarget() const {
  const NodeId leader = driver_->status().node.leader;
  if (leader == raft::kNoNode || leader == options_.self) return std::nullopt;
  for (const RegistryVoter& voter : options_.voters) {
    if (voter.id == leader) return voter.target;
  }
  return std::nullopt;
}

bool RegistryQuorum::WaitApplied(int64_t index, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto reached = [this, index]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return applied_ >= index; };
  return mu_.AwaitWithTimeout(absl::Condition(&reached), timeout);
}

int64_t RegistryQuorum::AppliedIndex() const {
  absl::MutexLock lock(&mu_);
  return applied_;
}

}  // namespace eddy::registry
