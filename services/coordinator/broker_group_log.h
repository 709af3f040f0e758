// BrokerGroupLog is a shard's GroupLog kept where Kafka keeps it: partition `shard` of
// __consumer_offsets on the brokers, reached over the long-lived Broker.Data streams.
//
// Append's records go out in a RecordBatch v2 (magic 2, uncompressed, no producer id; keys and
// values in Kafka's formats from group_records.h) produced with acks=all to the partition's
// leader. One produce is in flight per shard; appends that arrive meanwhile wait and go out
// together in the next produce, as one batch (a produce carries one batch per partition) with
// their records in append order — group commit: a busy shard costs one round trip per group of
// appends, not per append, and a retry can never reorder two writes of the same key. A produce that
// fails with a leadership or availability error (NOT_LEADER_OR_FOLLOWER, LEADER_NOT_AVAILABLE,
// UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS*, a broken stream) is sent again to the leader
// the metadata names, after a short backoff, until the append timeout (Kafka's
// offsets.commit.timeout.ms) runs out. The status the appends then get follows Kafka's mapping for
// coordinator writes (GroupMetadataManager): still no leader here → kFailedPrecondition
// (NOT_COORDINATOR); unavailable or timed out → kUnavailable / kDeadlineExceeded
// (COORDINATOR_NOT_AVAILABLE); too large → kResourceExhausted; anything else → kInternal
// (UNKNOWN_SERVER_ERROR).
//
// Fencing (the shard epoch): every produce and fetch carries the shard epoch the controller
// assigned this coordinator (ProduceRequest/FetchRequest.group_shard_epoch), and the leader
// checks it against the epoch in its own metadata (services/broker/group_shard_fence.h): older →
// NOT_COORDINATOR, newer (the broker has not applied the assignment yet) →
// COORDINATOR_LOAD_IN_PROGRESS. NOT_COORDINATOR on an append means another coordinator owns the
// shard: the appends in flight and queued fail with kAborted (NOT_COORDINATOR), the log closes,
// and `deposed` runs so the shard is unloaded here. COORDINATOR_LOAD_IN_PROGRESS is retried like a
// leadership error.
//
// Read is the load: its first fetch is a barrier — retried while the leader answers
// COORDINATOR_LOAD_IN_PROGRESS, and once accepted, that leader refuses the old owner's appends
// (and every later leader too: it applied the same metadata before it was elected). Read then
// replays from the start of the log (or its log start offset) up to max(high watermark, log end
// offset) of the first accepted answer from the current leader, waiting for the high watermark to
// get there, so every record the old owner appended before the barrier is replayed and only
// acknowledged (replicated) records are. NOT_COORDINATOR while loading → kAborted (deposed).
// A shard epoch of 0 sends no epoch (the broker then refuses appends: INVALID_TOPIC_EXCEPTION).
//
// Thread-safety: all methods may be called from any thread. Completions go through `post` (the
// shard's executor), in append order, never inside Append.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "services/coordinator/group_log.h"
#include "services/runtime/broker_data_path.h"

namespace eddy::coordinator {

// Where a partition's leader is, by the latest metadata.
struct PartitionLeader {
  int32_t broker_id = -1;
  std::string target;  // the broker's gRPC host:port
  int32_t leader_epoch = -1;
};
using LeaderLookup =
    std::function<std::optional<PartitionLeader>(const std::string& topic, int32_t partition)>;
// Schedule runs `fn` once after `delay` on some thread (retry backoff).
using Schedule = std::function<void(absl::Duration delay, std::function<void()> fn)>;

struct BrokerGroupLogOptions {
  std::string topic = "__consumer_offsets";
  int32_t partition = 0;
  // The shard epoch the controller assigned this coordinator (MetadataDelta.coordinator_shards).
  int64_t shard_epoch = 0;
  // Runs once (through `post`) when the broker says another coordinator owns the shard.
  std::function<void()> deposed;
  absl::Duration append_timeout = absl::Seconds(5);  // offsets.commit.timeout.ms
  absl::Duration load_timeout = absl::Seconds(30);   // how long Read keeps trying
  absl::Duration retry_backoff = absl::Milliseconds(50);
  int32_t fetch_max_bytes = 5 * 1024 * 1024;  // offsets.load.buffer.size
  size_t max_produce_bytes = 512 * 1024;      // record bytes per produce (group commit)
};

class BrokerGroupLog final : public GroupLog {
 public:
  BrokerGroupLog(BrokerGroupLogOptions options, runtime::BrokerDataPath& brokers,
                 LeaderLookup leaders, Schedule schedule, InMemoryGroupLog::Post post,
                 common::Clock& clock);
  ~BrokerGroupLog() override;  // closes

  void Append(std::vector<GroupLogRecord> records, AppendCallback done) override;
  absl::Status Read(const std::function<void(const GroupLogRecord&)>& visit) override;
  void Close() override;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// EncodeGroupBatch returns `records` as one RecordBatch v2 stamped `timestamp_ms`.
absl::StatusOr<std::string> EncodeGroupBatch(const std::vector<GroupLogRecord>& records,
                                             int64_t timestamp_ms);

}  // namespace eddy::coordinator
