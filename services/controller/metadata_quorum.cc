#include "services/controller/metadata_quorum.h"

#include <grpcpp/security/credentials.h>

#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "libs/common/status_macros.h"
#include "libs/raft/voters.h"
#include "libs/rpc/leader_hint.h"
#include "services/controller/metadata_watch.h"
#include "spdlog/spdlog.h"

namespace eddy::controller {
namespace {

// Outcome is a callback's result handed from the driver thread to the command thread.
template <typename T>
struct Outcome {
  absl::Notification done;
  T value;
};

}  // namespace

absl::StatusOr<std::vector<QuorumVoter>> ParseQuorumVoters(std::string_view spec) {
  EDDY_ASSIGN_OR_RETURN(std::vector<raft::Voter> parsed, raft::ParseVoters(spec));
  std::vector<QuorumVoter> voters;
  for (const raft::Voter& parsed_voter : parsed) {
    QuorumVoter voter{.id = parsed_voter.id, .endpoint = {}};
    voter.endpoint.set_name("grpc");
    voter.endpoint.set_host(parsed_voter.host);
    voter.endpoint.set_port(parsed_voter.port);
    voters.push_back(std::move(voter));
  }
  return voters;
}

// StateMachineAdapter is the driver's view of the metadata state machine: it applies entries under
// the quorum's mutex and reports each as a watch delta.
class MetadataQuorum::StateMachineAdapter final : public raft::StateMachine {
 public:
  explicit StateMachineAdapter(MetadataQuorum& quorum) : quorum_(quorum) {}

  absl::Status Apply(const raft::Entry& entry) override {
    const absl::Time start = absl::Now();
    eddy::v1::MetadataRecordBatch batch;
    if (!batch.ParseFromString(entry.data)) {
      return absl::DataLossError(absl::StrCat("metadata log entry ", entry.index.value(),
                                              " is not a MetadataRecordBatch"));
    }
    absl::MutexLock lock(&quorum_.mu_);
    MetadataStateMachine& state = quorum_.state_;
    if (entry.index <= state.last_applied_index()) {
      return absl::InvalidArgumentError(absl::StrCat("entry ", entry.index.value(),
                                                     " is not after the last applied index ",
                                                     state.last_applied_index().value()));
    }
    // Record by record, so the delta builder sees the image each record applies to.
    WatchDeltaBuilder delta;
    for (const eddy::v1::MetadataRecord& record : batch.records()) {
      delta.Collect(state.image(), record);
      EDDY_RETURN_IF_ERROR(state.Apply(record, entry.index));
    }
    quorum_.OnApplied(delta.Build(state.image(), entry.index), entry.term, absl::Now() - start);
    return absl::OkStatus();
  }

  std::string Snapshot() override {
    absl::MutexLock lock(&quorum_.mu_);
    return quorum_.state_.Snapshot();
  }

  absl::Status Restore(const raft::Snapshot& snapshot) override {
    absl::MutexLock lock(&quorum_.mu_);
    EDDY_RETURN_IF_ERROR(quorum_.state_.Restore(snapshot.data));
    quorum_.OnRestored();
    return absl::OkStatus();
  }

 private:
  MetadataQuorum& quorum_;
};

absl::StatusOr<std::unique_ptr<MetadataQuorum>> MetadataQuorum::Create(
    MetadataQuorumOptions options, metrics::Registry& metrics) {
  bool self_listed = false;
  for (const QuorumVoter& voter : options.voters) self_listed |= voter.id == options.self;
  if (!self_listed) {
    return absl::InvalidArgumentError(
        absl::StrCat("node id ", options.self.value(), " is not in the quorum voter list"));
  }
  std::error_code error;
  std::filesystem::create_directories(options.dir, error);
  if (error) {
    return absl::UnavailableError(absl::StrCat("cannot create the metadata log directory ",
                                               options.dir, ": ", error.message()));
  }
  EDDY_ASSIGN_OR_RETURN(std::unique_ptr<raft::RocksDbStorage> storage,
                        raft::RocksDbStorage::Open(options.dir));
  std::unique_ptr<MetadataQuorum> quorum(
      new MetadataQuorum(std::move(options), std::move(storage)));
  EDDY_RETURN_IF_ERROR(quorum->Init(metrics));
  return quorum;
}

MetadataQuorum::MetadataQuorum(MetadataQuorumOptions options,
                               std::unique_ptr<raft::RocksDbStorage> storage)
    : options_(std::move(options)),
      storage_(std::move(storage)),
      channels_(grpc::InsecureChannelCredentials(),
                {.min_reconnect_backoff = absl::Milliseconds(20),
                 .max_reconnect_backoff = absl::Milliseconds(250)}),
      transport_({.self = options_.self,
                  .reconnect = {.initial = absl::Milliseconds(20), .max = absl::Milliseconds(250)}},
                 channels_),
      adapter_(std::make_unique<StateMachineAdapter>(*this)) {}

absl::Status MetadataQuorum::Init(metrics::Registry& metrics) {
  // A founding member starts from the voter set as entry 1; a restarted one from its log.
  EDDY_ASSIGN_OR_RETURN(LogIndex last, storage_->LastIndex());
  if (last == LogIndex(0)) {
    raft::ConfState conf;
    for (const QuorumVoter& voter : options_.voters) conf.voters.insert(voter.id);
    EDDY_RETURN_IF_ERROR(storage_->Save(raft::Bootstrap(conf)));
  }
  for (const QuorumVoter& voter : options_.voters) {
    if (voter.id != options_.self) transport_.SetPeer(voter.id, rpc::TargetOf(voter.endpoint));
  }
  raft::RaftDriverOptions driver_options;
  driver_options.raft.id = options_.self;
  driver_options.raft.election_tick = options_.election_ticks;
  driver_options.raft.seed = static_cast<uint64_t>(absl::ToUnixNanos(absl::Now())) ^
                             static_cast<uint64_t>(options_.self.value());
  driver_options.tick_interval = options_.tick_interval;
  driver_options.snapshot_interval_entries = options_.snapshot_interval_entries;
  driver_options.request_timeout = options_.request_timeout;
  EDDY_ASSIGN_OR_RETURN(driver_, raft::RaftDriver::Create(driver_options, *storage_, *adapter_,
                                                          transport_, common::Clock::Real()));

  apply_latency_ = &metrics
                        .AddHistogram("eddy_controller_metadata_apply_latency_seconds",
                                      "Time to apply one committed metadata log entry.",
                                      metrics::LatencyBucketsSeconds())
                        .WithLabels({});
  metrics.AddGaugeCallback("eddy_controller_raft_term", "Current Raft term of this controller.",
                           [this] { return static_cast<double>(status().node.term.value()); });
  metrics.AddGaugeCallback("eddy_controller_raft_commit_index",
                           "Highest metadata log index known committed.",
                           [this] { return static_cast<double>(status().node.commit.value()); });
  metrics.AddCounterCallback("eddy_controller_raft_leader_changes_total",
                             "Times this controller saw a different quorum leader.",
                             [this] { return static_cast<double>(status().leader_changes); });
  metrics.AddGaugeCallback("eddy_controller_active", "1 on the quorum leader, else 0.",
                           [this] { return IsLeader() ? 1.0 : 0.0; });
  metrics.AddGaugeCallback("eddy_controller_fenced_brokers", "Registered brokers that are fenced.",
                           [this] { return static_cast<double>(stats().fenced_brokers); });
  metrics.AddGaugeCallback("eddy_controller_offline_partitions", "Partitions without a leader.",
                           [this] { return static_cast<double>(stats().offline_partitions); });
  metrics.AddGaugeCallback(
      "eddy_controller_under_replicated_partitions", "Partitions whose ISR lacks a replica.",
      [this] { return static_cast<double>(stats().under_replicated_partitions); });
  return absl::OkStatus();
}

MetadataQuorum::~MetadataQuorum() {
  StopDriver();
  transport_.Shutdown();
}

void MetadataQuorum::Start() {
  driver_->Start();
  command_thread_ = std::thread([this] { RunCommands(); });
}

void MetadataQuorum::StopDriver() {
  {
    absl::MutexLock lock(&queue_mu_);
    stopping_ = true;
  }
  // Stopping the driver first answers the call the command thread may be waiting on.
  driver_->Stop();
  if (command_thread_.joinable()) command_thread_.join();
  std::deque<Pending> rest;
  {
    absl::MutexLock lock(&queue_mu_);
    rest.swap(queue_);
  }
  for (Pending& pending : rest) {
    pending.done(absl::UnavailableError("the controller is shutting down"));
  }
}

void MetadataQuorum::Submit(Command command, Done done) {
  {
    absl::MutexLock lock(&queue_mu_);
    if (!stopping_) {
      queue_.push_back({std::move(command), std::move(done)});
      return;
    }
  }
  done(absl::UnavailableError("the controller is shutting down"));
}

void MetadataQuorum::RunCommands() {
  while (true) {
    Pending pending;
    {
      absl::MutexLock lock(&queue_mu_);
      queue_mu_.Await(absl::Condition(
          +[](MetadataQuorum* q) ABSL_EXCLUSIVE_LOCKS_REQUIRED(q->queue_mu_) {
            return q->stopping_ || !q->queue_.empty();
          },
          this));
      if (stopping_) return;
      pending = std::move(queue_.front());
      queue_.pop_front();
    }
    pending.done(Execute(pending.command));
  }
}

absl::StatusOr<QuorumWrite> MetadataQuorum::Execute(Command& command) {
  const raft::RaftDriverStatus before = driver_->status();
  if (before.node.role != raft::Role::kLeader) return raft::NotLeaderError(before.node.leader);

  // The barrier makes a new leader's image include entries of earlier terms it has yet to apply.
  auto read = std::make_shared<Outcome<absl::Status>>();
  driver_->LinearizableRead([read](absl::Status status) {
    read->value = std::move(status);
    read->done.Notify();
  });
  read->done.WaitForNotification();
  if (!read->value.ok()) return read->value;

  eddy::v1::MetadataRecordBatch batch;
  QuorumWrite unchanged;
  {
    absl::MutexLock lock(&mu_);
    for (eddy::v1::MetadataRecord& record : command(state_.image())) {
      *batch.add_records() = std::move(record);
    }
    unchanged.index = state_.last_applied_index();
  }
  if (batch.records_size() == 0) {
    unchanged.term = driver_->status().node.term;
    return unchanged;
  }
  auto proposed = std::make_shared<Outcome<absl::StatusOr<LogIndex>>>();
  driver_->Propose(batch.SerializeAsString(), [proposed](absl::StatusOr<LogIndex> index) {
    proposed->value = std::move(index);
    proposed->done.Notify();
  });
  proposed->done.WaitForNotification();
  EDDY_ASSIGN_OR_RETURN(LogIndex index, proposed->value);
  absl::MutexLock lock(&mu_);
  auto term = recent_terms_.find(index);
  return QuorumWrite{
      .index = index,
      .term = term == recent_terms_.end() ? driver_->status().node.term : term->second};
}

void MetadataQuorum::OnApplied(eddy::v1::MetadataDelta delta, Term term, absl::Duration took) {
  if (apply_latency_ != nullptr) apply_latency_->Observe(absl::ToDoubleSeconds(took));
  recent_terms_[LogIndex(delta.offset())] = term;
  while (recent_terms_.size() > options_.watch_history) recent_terms_.erase(recent_terms_.begin());
  for (const auto& [id, sink] : sinks_) sink(delta);
  history_.push_back(std::move(delta));
  while (history_.size() > options_.watch_history) history_.pop_front();
}

void MetadataQuorum::OnRestored() {
  // Deltas from before the snapshot no longer chain onto the image: watchers start over.
  history_.clear();
  recent_terms_.clear();
  const eddy::v1::MetadataDelta snapshot = WatchSnapshot(state_.image());
  for (const auto& [id, sink] : sinks_) sink(snapshot);
}

void MetadataQuorum::Read(const std::function<void(const MetadataImage&)>& read) const {
  absl::MutexLock lock(&mu_);
  read(state_.image());
}

uint64_t MetadataQuorum::Watch(int64_t from_offset, DeltaSink sink) {
  absl::MutexLock lock(&mu_);
  const int64_t applied = state_.last_applied_index().value();
  const bool covered = from_offset > 0 && from_offset <= applied &&
                       (from_offset == applied ||
                        (!history_.empty() && from_offset >= history_.front().offset() - 1));
  if (covered) {
    for (const eddy::v1::MetadataDelta& delta : history_) {
      if (delta.offset() > from_offset) sink(delta);
    }
  } else {
    sink(WatchSnapshot(state_.image()));
  }
  const uint64_t id = next_sink_++;
  sinks_.emplace(id, std::move(sink));
  return id;
}

void MetadataQuorum::Unwatch(uint64_t id) {
  absl::MutexLock lock(&mu_);
  sinks_.erase(id);
}

bool MetadataQuorum::IsLeader() const { return status().node.role == raft::Role::kLeader; }

std::optional<eddy::v1::LeaderHint> MetadataQuorum::LeaderHint() const {
  const NodeId leader = status().node.leader;
  for (const QuorumVoter& voter : options_.voters) {
    if (voter.id == leader && leader != raft::kNoNode) {
      eddy::v1::LeaderHint hint;
      hint.set_node_id(leader.value());
      *hint.mutable_endpoint() = voter.endpoint;
      return hint;
    }
  }
  return std::nullopt;
}

MetadataStats MetadataQuorum::stats() const {
  absl::MutexLock lock(&mu_);
  return ComputeStats(state_.image());
}

}  // namespace eddy::controller
