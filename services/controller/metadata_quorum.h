// MetadataQuorum replicates the controller's metadata over Raft: a RaftDriver with RocksDbStorage
// (under <data-dir>/raft) and a GrpcTransport served by the controller's own gRPC server, applying
// committed entries (serialized MetadataRecordBatch) to a MetadataStateMachine.
//
// Writes go through Submit: commands run one at a time on a dedicated command thread, each against
// an image that reflects every committed entry (a ReadIndex barrier first) and every entry an
// earlier command proposed (the thread waits for its proposal to apply before taking the next),
// which is the serialization controller_result.h requires. A command on a follower fails with
// raft::NotLeaderError naming the leader, which the gRPC adapter turns into a leader hint.
//
// Reads (image, watch history, stats) come from any thread under one mutex that the driver thread
// also holds while applying; a follower's image trails the leader's by replication lag only.
//
// WatchMetadata support: every applied entry becomes a MetadataDelta kept in a bounded history and
// handed to subscribers, so a watcher resumes from an offset without a snapshot while the history
// covers it.
//
// Lifecycle: Create (opens storage, bootstraps a founding member's empty log with the voter set),
// AddService(service()) before the gRPC server starts, Start, then StopDriver before the gRPC
// server shuts down; the destructor shuts the transport down.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/metrics/registry.h"
#include "libs/raft/grpc_transport.h"
#include "libs/raft/raft_driver.h"
#include "libs/raft/rocksdb_storage.h"
#include "libs/rpc/channel_cache.h"
#include "proto/eddy/v1/common.pb.h"
#include "proto/eddy/v1/controller.pb.h"
#include "services/controller/metadata_image.h"
#include "services/controller/metadata_state_machine.h"
#include "services/controller/metadata_stats.h"

namespace eddy::controller {

// QuorumVoter is one entry of Kafka's controller.quorum.voters: id@host:port.
struct QuorumVoter {
  NodeId id;
  eddy::v1::Endpoint endpoint;  // the voter's controller gRPC address
};

// ParseQuorumVoters parses "1@127.0.0.1:9093,2@127.0.0.1:9193" with raft::ParseVoters
// (kInvalidArgument naming the bad item: malformed, non-positive id, bad port, duplicate id).
absl::StatusOr<std::vector<QuorumVoter>> ParseQuorumVoters(std::string_view spec);

struct MetadataQuorumOptions {
  NodeId self;
  std::vector<QuorumVoter> voters;  // must contain self
  std::string dir;                  // RocksDB directory of the Raft log
  absl::Duration tick_interval = absl::Milliseconds(50);
  int election_ticks = 10;
  uint64_t snapshot_interval_entries = 10000;
  absl::Duration request_timeout = absl::Seconds(10);
  size_t watch_history = 4096;  // deltas kept for resuming watchers
};

// QuorumWrite says where a command's records landed.
struct QuorumWrite {
  LogIndex index;  // applied index of the entry (or of the image, when nothing was written)
  Term term;       // term of that entry: the leader's term that accepted the write
};

class MetadataQuorum {
 public:
  // Command computes the records of one write from the current image (filling its own response
  // as a side effect). Runs on the command thread with the image locked: it must not block.
  using Command = absl::AnyInvocable<std::vector<eddy::v1::MetadataRecord>(const MetadataImage&)>;
  // Done receives the write's position once applied, or the failure (NotLeaderError, ...).
  using Done = absl::AnyInvocable<void(absl::StatusOr<QuorumWrite>)>;
  // DeltaSink receives every applied delta; runs on the driver thread, must not block.
  using DeltaSink = std::function<void(const eddy::v1::MetadataDelta&)>;

  // Create opens the log and builds the driver; the quorum dials its peers on channels of its own
  // that reconnect within a fraction of the election timeout (a restarted peer must be heard from
  // before the next election, not after a generic 2 s backoff).
  static absl::StatusOr<std::unique_ptr<MetadataQuorum>> Create(MetadataQuorumOptions options,
                                                                metrics::Registry& metrics);
  ~MetadataQuorum();

  MetadataQuorum(const MetadataQuorum&) = delete;
  MetadataQuorum& operator=(const MetadataQuorum&) = delete;

  // service is the Raft transport's gRPC service: add it to the server before it starts.
  grpc::Service* service() { return transport_.service(); }
  void Start();
  // StopDriver stops the command thread and the driver (pending commands fail Unavailable).
  void StopDriver();

  // Submit queues a write command (see the file comment).
  void Submit(Command command, Done done);

  // Read runs `read` with the image locked (must not block).
  void Read(const std::function<void(const MetadataImage&)>& read) const;

  // Watch hands `sink` what a watcher that holds everything up to `from_offset` must get first
  // (the deltas after it when the history covers them, else one snapshot), then registers it for
  // every later delta, atomically, so nothing is missed or repeated. Returns the id for Unwatch.
  uint64_t Watch(int64_t from_offset, DeltaSink sink);
  void Unwatch(uint64_t id);

  raft::RaftDriverStatus status() const { return driver_->status(); }
  bool IsLeader() const;
  // LeaderHint is the current leader's id and address, if one is known.
  std::optional<eddy::v1::LeaderHint> LeaderHint() const;
  MetadataStats stats() const;
  NodeId self() const { return options_.self; }

 private:
  class StateMachineAdapter;
  struct Pending {
    Command command;
    Done done;
  };

  MetadataQuorum(MetadataQuorumOptions options, std::unique_ptr<raft::RocksDbStorage> storage);
  absl::Status Init(metrics::Registry& metrics);
  void RunCommands();
  absl::StatusOr<QuorumWrite> Execute(Command& command);
  // Called by the adapter on the driver thread with mu_ held.
  void OnApplied(eddy::v1::MetadataDelta delta, Term term, absl::Duration took)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnRestored() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const MetadataQuorumOptions options_;
  std::unique_ptr<raft::RocksDbStorage> storage_;
  rpc::ChannelCache channels_;
  raft::GrpcTransport transport_;
  std::unique_ptr<StateMachineAdapter> adapter_;
  std::unique_ptr<raft::RaftDriver> driver_;

  mutable absl::Mutex mu_;
  MetadataStateMachine state_ ABSL_GUARDED_BY(mu_);
  std::deque<eddy::v1::MetadataDelta> history_ ABSL_GUARDED_BY(mu_);
  std::map<LogIndex, Term> recent_terms_ ABSL_GUARDED_BY(mu_);  // applied entries' terms
  std::map<uint64_t, DeltaSink> sinks_ ABSL_GUARDED_BY(mu_);
  uint64_t next_sink_ ABSL_GUARDED_BY(mu_) = 1;
  metrics::Histogram* apply_latency_ = nullptr;

  absl::Mutex queue_mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;
  std::thread command_thread_;
};

}  // namespace eddy::controller
