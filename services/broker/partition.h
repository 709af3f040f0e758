// Partition is one replica of one partition on this broker: its PartitionLog, its producer state
// (idempotence), and its role as the controller assigned it, leader or follower, fenced by leader
// epoch. As leader it validates and appends produced batches, answers acks=0/1 at once and acks=all
// through the IsrTracker once the high watermark passes the batch, serves consumer fetches up to
// the high watermark and follower fetches up to its log end (answering a follower whose history
// diverges with the epoch boundary, KIP-101), and proposes ISR changes. As follower it appends what
// the leader sent, replays it into the producer state (so a new leader already knows every
// producer, as Kafka's followers do) and truncates by the leader's epoch end offsets.
// The producer state is snapshotted at every segment roll and at close, so a restart (even after
// a crash) replays only the log tail past the newest snapshot.
//
// Effects leave through the PartitionEvents the owner gives: an AlterPartition proposal to send,
// and a note that readable data or the high watermark moved (delayed fetches re-check). Callbacks
// of acks=all produces run on whatever thread completed them, never under the partition's lock.
// Thread-safety: all methods are thread-safe; one mutex orders role changes, appends and the ISR
// state; log reads run outside it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "libs/common/strong_id.h"
#include "libs/kafka/error_codes.h"
#include "libs/storage/file_system.h"
#include "libs/storage/partition_log.h"
#include "services/broker/isr_tracker.h"
#include "services/broker/leader_epoch_truncation.h"
#include "services/broker/producer_state.h"
#include "services/broker/topic_config.h"

namespace eddy::broker {

enum class ReplicaRole { kNone, kLeader, kFollower };

struct PartitionEvents {
  // alter_partition: send this proposal to the controller (for leader epoch `epoch`).
  std::function<void(const AlterPartitionProposal& proposal)> alter_partition;
  // readable_changed: the log end or the high watermark moved.
  std::function<void()> readable_changed;
};

struct PartitionOptions {
  BrokerId self;
  absl::Duration replica_lag_time_max = absl::Seconds(30);
  ProducerStateOptions producer_state;
};

struct ProduceResult {
  kafka::ErrorCode error = kafka::ErrorCode::kNone;
  std::string error_message;
  Offset base_offset{-1};
  int64_t log_append_time_ms = -1;
  Offset log_start_offset{-1};
  int32_t records = 0;
  int64_t bytes = 0;
};

// AcksAllDone finishes an acks=all produce: kNone once committed, else the error to answer.
using AcksAllDone = std::function<void(kafka::ErrorCode error)>;

struct FetchArgs {
  Offset fetch_offset{0};
  LeaderEpoch current_leader_epoch{-1};  // -1: no fencing check
  LeaderEpoch last_fetched_epoch{-1};    // followers only
  size_t max_bytes = 1 << 20;
  bool read_committed = false;
};

struct FetchResult {
  kafka::ErrorCode error = kafka::ErrorCode::kNone;
  std::string error_message;
  Offset high_watermark{-1};
  Offset last_stable_offset{-1};
  Offset log_start_offset{-1};
  Offset log_end_offset{-1};
  std::string records;
  std::optional<EpochEndOffset> diverging;
};

// EpochCheck is the leader-epoch fence Kafka applies to fetch, ListOffsets and
// OffsetForLeaderEpoch: an older epoch is FENCED_LEADER_EPOCH, a newer one UNKNOWN_LEADER_EPOCH.
kafka::ErrorCode CheckLeaderEpoch(LeaderEpoch requested, LeaderEpoch current);

class Partition {
 public:
  // Open opens (or creates) the log in `dir` and rebuilds the producer state from it.
  static absl::StatusOr<std::unique_ptr<Partition>> Open(
      storage::FileSystem& fs, std::string dir, TopicConfig config, PartitionOptions options,
      PartitionEvents events, common::Clock& clock, storage::StorageMetrics* metrics);
  ~Partition();

  // ApplyAssignment follows the controller: leader when `assignment.leader` is this broker, else
  // follower (of nobody when the leader is -1). A new leader epoch restarts the role; the same
  // epoch only updates the ISR (partition epoch). Older epochs are ignored. Becoming follower fails
  // every waiting acks=all produce with NOT_LEADER_OR_FOLLOWER.
  void ApplyAssignment(const PartitionAssignment& assignment);
  // UpdateConfig applies new topic configs to validation and ISR rules (the log keeps its own until
  // reopened, except that they are read at open).
  void UpdateConfig(const TopicConfig& config);
  // SetIneligibleReplicas names the fenced or shutting-down brokers, which a leader does not add to
  // the ISR (IsrTracker).
  void SetIneligibleReplicas(const std::set<BrokerId>& ineligible);

  // Produce appends `records` (the client's bytes, rewritten in place) as leader. acks=-1 with no
  // error: the result says where the batch went and `done` runs later (possibly before Produce
  // returns) with the commit outcome; `*waiting` says so. Otherwise `done` is not called.
  ProduceResult Produce(std::span<char> records, int16_t acks, int16_t api_version,
                        absl::Time deadline, AcksAllDone done, bool* waiting);

  // Fetch reads for a consumer (up to the high watermark).
  FetchResult Fetch(const FetchArgs& args) const;
  // FetchForFollower reads for follower `replica` (up to the log end) and records its progress.
  FetchResult FetchForFollower(BrokerId replica, const FetchArgs& args);
  // Readable says whether a fetch at `offset` would return data now (or an error), for
  // long-polling.
  bool Readable(Offset offset, bool follower) const;

  // Follower side.
  // Each follower call names the leader epoch and fetch offset its fetch was made for; when the
  // replica moved on meanwhile (new epoch, other log end) the answer is stale and is dropped
  // (Aborted), so a late answer from a previous leader never lands.
  // AppendAsFollower appends the leader's batches at this log's end and takes the leader's high
  // watermark and log start.
  absl::Status AppendAsFollower(LeaderEpoch fetched_in, Offset fetch_offset, std::string records,
                                Offset leader_high_watermark, Offset leader_log_start);
  // TruncateByLeaderEpoch applies a leader's divergence answer (KIP-101); `completed` false means
  // fetch again with the new last epoch.
  absl::StatusOr<TruncationDecision> TruncateByLeaderEpoch(LeaderEpoch fetched_in,
                                                           EpochEndOffset leader_answer);
  // TruncateTo cuts the log back to `offset` (the leader's log ends before ours).
  absl::Status TruncateTo(LeaderEpoch fetched_in, Offset offset);
  // TruncateFullyAndStartAt empties the log at `offset` (the leader no longer has our offset).
  absl::Status TruncateFullyAndStartAt(LeaderEpoch fetched_in, Offset offset);

  // ListOffsets: timestamp -1 latest, -2 earliest, -3 max timestamp, else the first offset with a
  // timestamp >= it. Returns (error, timestamp, offset, leader epoch).
  struct ListedOffset {
    kafka::ErrorCode error = kafka::ErrorCode::kNone;
    int64_t timestamp = -1;
    Offset offset{-1};
    LeaderEpoch leader_epoch{-1};
  };
  ListedOffset ListOffset(int64_t timestamp, LeaderEpoch current_leader_epoch,
                          bool read_committed) const;
  // DeleteRecords moves the log start to `offset` (-1: the high watermark). Returns the error and
  // the new low watermark.
  std::pair<kafka::ErrorCode, Offset> DeleteRecords(Offset offset);
  // OffsetForLeaderEpoch answers where `epoch` ends in this log (leader only unless `any_role`).
  std::pair<kafka::ErrorCode, EpochEndOffset> OffsetForLeaderEpoch(LeaderEpoch current_leader_epoch,
                                                                   LeaderEpoch epoch) const;

  // Tick drives ISR shrinks, acks=all timeouts and producer expiry (the broker's ticker calls it).
  void Tick();
  // OnAlterPartitionResponse hands the controller's answer to the ISR tracker, if still leader in
  // `epoch`. Returns the change in ISR size it applied (< 0 shrink, > 0 expand).
  int OnAlterPartitionResponse(LeaderEpoch epoch, kafka::ErrorCode error,
                               const std::vector<BrokerId>& isr, PartitionEpoch partition_epoch);

  // Close fails waiters and closes the log cleanly (checkpoints written).
  absl::Status Close();

  ReplicaRole role() const;
  LeaderEpoch leader_epoch() const;
  BrokerId leader() const;
  Offset high_watermark() const;
  // follower_lag: the largest follower lag in offsets (leader), 0 otherwise.
  int64_t MaxFollowerLag() const;
  bool UnderReplicated() const;
  LeaderEpoch LastFetchedEpoch() const;
  storage::PartitionLog& log() { return *log_; }
  const storage::PartitionLog& log() const { return *log_; }
  const TopicConfig& config() const;

 private:
  struct Dispatch {
    std::vector<std::pair<AcksAllDone, kafka::ErrorCode>> done;
    std::optional<AlterPartitionProposal> alter;
    bool readable_changed = false;
  };

  Partition(std::unique_ptr<storage::PartitionLog> log, TopicConfig config,
            PartitionOptions options, PartitionEvents events, common::Clock& clock);
  // TakeTrackerOutput moves the tracker's output into `out`. REQUIRES: mu_ held.
  void TakeTrackerOutput(Dispatch& out) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FailWaiters(Dispatch& out, kafka::ErrorCode error) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Run(Dispatch out);
  absl::Status RebuildProducerStateLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // SnapshotProducersLocked writes the producer state at the log end (after a segment roll, as
  // Kafka does), so a restart after a crash replays only the log past it; older snapshots beyond
  // the newest kProducerSnapshotsKept are removed.
  void SnapshotProducersLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static constexpr size_t kProducerSnapshotsKept = 2;
  absl::Status CheckFollowerLocked(LeaderEpoch fetched_in) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  Offset HighWatermarkLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  Offset LastStableOffsetLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  IsrTrackerOptions TrackerOptions() const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  kafka::ErrorCode CheckLeaderLocked(LeaderEpoch current_leader_epoch) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  FetchResult ReadLocked(const FetchArgs& args, Offset limit) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  std::unique_ptr<storage::PartitionLog> log_;
  const PartitionOptions options_;
  const PartitionEvents events_;
  common::Clock& clock_;

  mutable absl::Mutex mu_;
  TopicConfig config_ ABSL_GUARDED_BY(mu_);
  ReplicaRole role_ ABSL_GUARDED_BY(mu_) = ReplicaRole::kNone;
  PartitionAssignment assignment_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<IsrTracker> tracker_ ABSL_GUARDED_BY(mu_);
  std::set<BrokerId> ineligible_ ABSL_GUARDED_BY(mu_);
  // follower_high_watermark_: the leader's HW as last fetched (a follower's HW), or what this
  // replica had when it led.
  Offset follower_high_watermark_ ABSL_GUARDED_BY(mu_){0};
  ProducerStateTable producers_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, AcksAllDone> acks_waiters_ ABSL_GUARDED_BY(mu_);
  uint64_t next_waiter_id_ ABSL_GUARDED_BY(mu_) = 1;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  // snapshot_fs_: where Close writes the producer snapshot (the log's file system).
  storage::FileSystem* snapshot_fs_ = nullptr;
};

}  // namespace eddy::broker
