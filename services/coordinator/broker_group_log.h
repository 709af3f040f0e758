// BrokerGroupLog is a shard's GroupLog kept where Kafka keeps it: partition `shard` of
// __consumer_offsets on the brokers, reached over the long-lived Broker.Data streams.
//
// Append encodes its records as one RecordBatch v2 (magic 2, uncompressed, no producer id; keys and
// values in Kafka's formats from group_records.h) and produces it with acks=all to the partition's
// leader. One produce is in flight per shard; appends that arrive meanwhile wait and go out
// together in the next produce, one batch each, in append order (group commit: a busy shard
// costs one round trip per group of appends, not per append, and a retry can never reorder two
// writes of the same key). A produce that fails with a leadership or availability error
// (NOT_LEADER_OR_FOLLOWER, LEADER_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS*,
// a broken stream) is sent again to the leader the metadata names, after a short backoff, until
// the append timeout (Kafka's offsets.commit.timeout.ms) runs out. The status the appends then
// get follows Kafka's mapping for coordinator writes (GroupMetadataManager): still no leader here
// → kFailedPrecondition (NOT_COORDINATOR); unavailable or timed out → kUnavailable /
// kDeadlineExceeded (COORDINATOR_NOT_AVAILABLE); too large → kResourceExhausted; anything else →
// kInternal (UNKNOWN_SERVER_ERROR).
//
// Read fetches the partition from the start of its log (or its log start offset) up to the high
// watermark seen at the first answer and hands every record to the visitor: only acknowledged
// (replicated) records are replayed.
//
// Fencing: the log does not fence a deposed owner at the broker (appends carry no producer id or
// epoch); ownership is fenced by the metadata — a coordinator unloads a shard as soon as its
// metadata says another owner holds it, and appends still in flight then answer NOT_COORDINATOR.
// A coordinator cut off from the controller keeps its shards until its metadata catches up.
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
  absl::Duration append_timeout = absl::Seconds(5);  // offsets.commit.timeout.ms
  absl::Duration load_timeout = absl::Seconds(30);   // how long Read keeps trying
  absl::Duration retry_backoff = absl::Milliseconds(50);
  int32_t fetch_max_bytes = 5 * 1024 * 1024;    // offsets.load.buffer.size
  size_t max_produce_bytes = 1024 * 1024;       // batches per produce request (group commit)
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
