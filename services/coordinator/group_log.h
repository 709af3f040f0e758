// GroupLog is where a coordinator shard persists its state: the shard's partition of
// __consumer_offsets. The coordinator appends group metadata and offset records (group_records.h)
// and answers the client only after the append is acknowledged by every in-sync replica
// (acks=all), so an acknowledged join, sync or commit survives the loss of the coordinator. On
// shard load the coordinator reads the log from its start and replays it; a compacted log keeps
// the last record per key, which replays to the same state (tombstones delete).
//
// InMemoryGroupLog is the implementation for tests and for a coordinator that has no broker to
// write to yet: it keeps records in memory (lost with the process) and can hold, fail and compact
// appends so tests reach every path. The broker-backed log produces to the partition leader.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "services/coordinator/group_records.h"

namespace eddy::coordinator {

class GroupLog {
 public:
  using AppendCallback = std::function<void(absl::Status)>;
  virtual ~GroupLog() = default;

  // Append writes `records` as one batch, in order after every earlier Append. `done` runs
  // exactly once: OK once the batch is acknowledged (acks=all), else the failure —
  // kUnavailable/kDeadlineExceeded (not enough replicas, timeout: retry), kFailedPrecondition
  // (this instance no longer leads or owns the partition), kResourceExhausted (batch too large).
  // Completions arrive in append order. `done` never runs inside Append: implementations deliver
  // it through the shard's executor, so the coordinator's state is never re-entered.
  virtual void Append(std::vector<GroupLogRecord> records, AppendCallback done) = 0;

  // Read calls `visit` for every record from the start of the log to its current end. It is used
  // while loading a shard, before the shard serves requests, and may block on I/O.
  virtual absl::Status Read(const std::function<void(const GroupLogRecord&)>& visit) = 0;

  // Close is called when the shard stops being served here: a Read in progress gives up
  // (kCancelled) and appends not acknowledged yet fail with kFailedPrecondition.
  virtual void Close() {}
};

// InMemoryGroupLog keeps the log in memory. Completions go through `post` (for tests a queue the
// test drains; in the daemon the shard executor). Thread-safety: all methods may be called
// concurrently.
class InMemoryGroupLog final : public GroupLog {
 public:
  using Post = std::function<void(std::function<void()>)>;
  explicit InMemoryGroupLog(Post post) : post_(std::move(post)) {}

  void Append(std::vector<GroupLogRecord> records, AppendCallback done) override;
  absl::Status Read(const std::function<void(const GroupLogRecord&)>& visit) override;

  // FailAppends makes every later Append fail with `status` (OK restores success) without
  // writing anything, as a broker that lost leadership or its ISR would.
  void FailAppends(absl::Status status);
  // Compact keeps only the last record of each key and drops tombstones, as log compaction does
  // once the tombstone retention has passed.
  void Compact();
  std::vector<GroupLogRecord> Records() const;
  int64_t appends() const;

 private:
  Post post_;
  mutable absl::Mutex mu_;
  std::vector<GroupLogRecord> records_ ABSL_GUARDED_BY(mu_);
  absl::Status fail_with_ ABSL_GUARDED_BY(mu_);
  int64_t appends_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace eddy::coordinator
