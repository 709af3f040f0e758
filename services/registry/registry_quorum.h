// RegistryQuorum replicates the registry's state machine (the RegistryStore) over Raft: a
// RaftDriver with RocksDbStorage (under <data-dir>/raft) and a GrpcTransport served by the
// registry's own gRPC server. Committed entries are serialized RegistryCommands, applied on every
// replica with RegistryStore::ApplyEncoded, which records the entry's index in the same RocksDB
// batch as its effect: a restarted replica resumes applying right after it (no replay of what it
// holds) and never applies an entry twice. Snapshots are the store's StoreSnapshot.
//
// Ids are allocated when a command applies (the command carries id 0 and the store issues the next
// one), so every replica issues the same id for the same entry and a new leader continues the
// sequence: ids stay unique across failover.
//
// As a RegistryWriter it runs on the leader only: Sync is a ReadIndex barrier (the store then
// holds every committed write, including a previous leader's), Write proposes the command and
// waits until it applied locally. On a follower both fail with Confluent's 50004 (unknown leader)
// naming the leader, if known; the REST layer forwards writes to the leader instead (see
// rest_forwarding.h) and then waits with WaitApplied until the follower holds the write, so a
// client reads its own writes on any replica.
//
// Lifecycle: Create, service() added to the gRPC server before it starts, Start once it serves,
// StopDriver before the server shuts down; the destructor shuts the transport down.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/metrics/registry.h"
#include "libs/raft/grpc_transport.h"
#include "libs/raft/raft_driver.h"
#include "libs/raft/rocksdb_storage.h"
#include "libs/rpc/channel_cache.h"
#include "services/registry/registry_store.h"
#include "services/registry/registry_writer.h"

namespace eddy::registry {

// RegistryVoter is one replica of the quorum: its id and its gRPC address ("host:port").
struct RegistryVoter {
  NodeId id;
  std::string target;
};

// ParseRegistryVoters parses --quorum-voters, "1@127.0.0.1:9096,2@127.0.0.1:9196", with
// raft::ParseVoters (the controller's id@host:port syntax); kInvalidArgument names the bad item
// (malformed, id <= 0, bad port, duplicate id).
absl::StatusOr<std::vector<RegistryVoter>> ParseRegistryVoters(std::string_view spec);

struct RegistryQuorumOptions {
  NodeId self;
  std::vector<RegistryVoter> voters;  // must contain self
  std::string dir;                    // RocksDB directory of the Raft log
  absl::Duration tick_interval = absl::Milliseconds(50);
  int election_ticks = 10;
  uint64_t snapshot_interval_entries = 10000;
  // How long a write waits to commit and apply before it fails with 50002 (outcome unknown).
  absl::Duration request_timeout = absl::Seconds(5);
};

class RegistryQuorum final : public RegistryWriter {
 public:
  // Create opens the Raft log (bootstrapping a founding member's empty log with the voter set) and
  // builds the driver over `store`, which must outlive the quorum.
  static absl::StatusOr<std::unique_ptr<RegistryQuorum>> Create(RegistryQuorumOptions options,
                                                                RegistryStore& store);
  ~RegistryQuorum() override;

  RegistryQuorum(const RegistryQuorum&) = delete;
  RegistryQuorum& operator=(const RegistryQuorum&) = delete;

  // service is the Raft transport's gRPC service: add it to the server before it starts.
  grpc::Service* service() { return transport_.service(); }
  // AddMetrics exports term, commit index, leader changes and "is leader" gauges.
  void AddMetrics(metrics::Registry& metrics);
  void Start();
  // StopDriver stops the driver; pending and later writes fail with 50004. Idempotent.
  void StopDriver();

  absl::Status Sync() override;
  absl::StatusOr<CommandResult> Write(const eddy::v1::RegistryCommand& command) override;

  bool IsLeader() const;
  // LeaderTarget is the gRPC address of the leader when it is another replica.
  std::optional<std::string> LeaderTarget() const;
  // WaitApplied waits until the local store holds log entry `index`; false after `timeout`.
  bool WaitApplied(int64_t index, absl::Duration timeout) const;
  int64_t AppliedIndex() const;
  // The channels the quorum dials its peers on (reconnecting within a fraction of an election
  // timeout), for forwarding to the leader too.
  rpc::ChannelCache& channels() { return channels_; }

 private:
  class StateMachineAdapter;

  RegistryQuorum(RegistryQuorumOptions options, std::unique_ptr<raft::RocksDbStorage> storage,
                 RegistryStore& store);
  absl::Status Init();
  void SetApplied(int64_t index, std::optional<absl::StatusOr<CommandResult>> result)
      ABSL_LOCKS_EXCLUDED(mu_);
  // ToRegistryError turns a driver failure into Confluent's code: not the leader or none known →
  // 50004 (naming the leader when known); not applied in time → 50002; replaced by another
  // leader's entry or covered by a snapshot → 50001 (outcome unknown).
  absl::Status ToRegistryError(const absl::Status& status) const;

  const RegistryQuorumOptions options_;
  std::unique_ptr<raft::RocksDbStorage> storage_;
  RegistryStore& store_;
  rpc::ChannelCache channels_;
  raft::GrpcTransport transport_;
  std::unique_ptr<StateMachineAdapter> adapter_;
  std::unique_ptr<raft::RaftDriver> driver_;

  mutable absl::Mutex mu_;
  int64_t applied_ ABSL_GUARDED_BY(mu_) = 0;
  // Outcomes of recently applied entries by index, for the writer waiting on each (bounded).
  std::map<int64_t, absl::StatusOr<CommandResult>> results_ ABSL_GUARDED_BY(mu_);
};

}  // namespace eddy::registry
