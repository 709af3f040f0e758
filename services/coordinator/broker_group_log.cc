#include "services/coordinator/broker_group_log.h"

#include <algorithm>
#include <span>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "libs/kafka/error_codes.h"
#include "libs/kafka/record_batch.h"
#include "libs/kafka/record_batch_builder.h"
#include "spdlog/spdlog.h"

namespace eddy::coordinator {
namespace {

using kafka::ErrorCode;

std::string CodeName(ErrorCode code) {
  return std::string(kafka::ErrorName(static_cast<int16_t>(code)));
}

// Errors after which the same produce may succeed at the (new) leader.
bool RetriableProduceError(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotLeaderOrFollower:
    case ErrorCode::kLeaderNotAvailable:
    case ErrorCode::kUnknownTopicOrPartition:
    case ErrorCode::kNotEnoughReplicas:
    case ErrorCode::kNotEnoughReplicasAfterAppend:
    case ErrorCode::kKafkaStorageError:
    case ErrorCode::kCoordinatorLoadInProgress:  // the leader has not applied our shard epoch yet
      return true;
    default:
      return false;
  }
}

// FinalStatus is what the appends get for `code` once no retry is left (GroupMetadataManager's
// mapping of produce errors for coordinator writes).
absl::Status FinalStatus(ErrorCode code, const std::string& message) {
  const std::string text = absl::StrCat(CodeName(code), ": ", message);
  switch (code) {
    case ErrorCode::kNotLeaderOrFollower:
    case ErrorCode::kKafkaStorageError:
      return absl::FailedPreconditionError(text);
    case ErrorCode::kUnknownTopicOrPartition:
    case ErrorCode::kLeaderNotAvailable:
    case ErrorCode::kNotEnoughReplicas:
    case ErrorCode::kNotEnoughReplicasAfterAppend:
    case ErrorCode::kCoordinatorLoadInProgress:
      return absl::UnavailableError(text);
    case ErrorCode::kRequestTimedOut:
      return absl::DeadlineExceededError(text);
    case ErrorCode::kMessageTooLarge:
    case ErrorCode::kRecordListTooLarge:
    case ErrorCode::kInvalidFetchSize:
      return absl::ResourceExhaustedError(text);
    default:
      return absl::InternalError(text);
  }
}

}  // namespace

absl::StatusOr<std::string> EncodeGroupBatch(const std::vector<GroupLogRecord>& records,
                                             int64_t timestamp_ms) {
  kafka::RecordBatchBuilder builder({});
  for (const GroupLogRecord& record : records) {
    builder.Append(timestamp_ms, record.key,
                   record.value ? std::optional<std::string_view>(*record.value) : std::nullopt);
  }
  return builder.Build();
}

struct BrokerGroupLog::State : std::enable_shared_from_this<State> {
  struct PendingAppend {
    std::vector<GroupLogRecord> records;
    size_t bytes = 0;
    AppendCallback done;
  };

  State(BrokerGroupLogOptions o, runtime::BrokerDataPath& b, LeaderLookup l, Schedule s,
        InMemoryGroupLog::Post p, common::Clock& c)
      : options(std::move(o)),
        brokers(b),
        leaders(std::move(l)),
        schedule(std::move(s)),
        post(std::move(p)),
        clock(c) {}

  const BrokerGroupLogOptions options;
  runtime::BrokerDataPath& brokers;
  const LeaderLookup leaders;
  const Schedule schedule;
  const InMemoryGroupLog::Post post;
  common::Clock& clock;

  absl::Mutex mu;
  bool closed ABSL_GUARDED_BY(mu) = false;
  std::deque<PendingAppend> queued ABSL_GUARDED_BY(mu);
  std::vector<PendingAppend> in_flight ABSL_GUARDED_BY(mu);
  std::string in_flight_batch
      ABSL_GUARDED_BY(mu);  // their records as one batch (retries resend it)
  absl::Time deadline ABSL_GUARDED_BY(mu);
  // Bumped per produce attempt, so a late answer to an abandoned attempt is ignored.
  uint64_t attempt ABSL_GUARDED_BY(mu) = 0;

  std::string Name() const { return absl::StrCat(options.topic, "-", options.partition); }

  // Complete hands `status` to every in-flight append (in order) and sends what queued meanwhile.
  void Complete(const absl::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    for (PendingAppend& p : in_flight) {
      post([done = std::move(p.done), status] { done(status); });
    }
    in_flight.clear();
    SendNext();
  }

  void SendNext() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (closed || !in_flight.empty() || queued.empty()) return;
    size_t bytes = 0;
    std::vector<GroupLogRecord> records;
    while (!queued.empty() &&
           (in_flight.empty() || bytes + queued.front().bytes <= options.max_produce_bytes)) {
      bytes += queued.front().bytes;
      for (const GroupLogRecord& r : queued.front().records) records.push_back(r);
      in_flight.push_back(std::move(queued.front()));
      queued.pop_front();
    }
    // One batch for all of them: a produce request carries one batch per partition (v3+).
    absl::StatusOr<std::string> batch = EncodeGroupBatch(records, absl::ToUnixMillis(clock.Now()));
    if (!batch.ok()) {
      Complete(absl::InternalError(batch.status().message()));
      return;
    }
    in_flight_batch = *std::move(batch);
    deadline = clock.Now() + options.append_timeout;
    Attempt();
  }

  // Attempt sends the in-flight batch to the current leader, or waits for one.
  void Attempt() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    const uint64_t id = ++attempt;
    const absl::Duration left = deadline - clock.Now();
    std::optional<PartitionLeader> leader = leaders(options.topic, options.partition);
    if (!leader || leader->broker_id < 0) {
      RetryOrFail(id, ErrorCode::kLeaderNotAvailable, "no leader known");
      return;
    }
    eddy::v1::DataRequest request;
    eddy::v1::ProduceRequest& produce = *request.mutable_produce();
    produce.set_acks(-1);
    produce.set_group_shard_epoch(options.shard_epoch);
    produce.set_timeout_ms(
        static_cast<int32_t>(std::max<int64_t>(1, absl::ToInt64Milliseconds(left))));
    eddy::v1::ProducePartition& partition = *produce.add_partitions();
    partition.mutable_partition()->set_topic(options.topic);
    partition.mutable_partition()->set_partition(options.partition);
    partition.set_records(in_flight_batch);
    // The broker answers REQUEST_TIMED_OUT at the produce timeout; the stream deadline only
    // catches a broker that does not answer at all.
    brokers.Send(leader->broker_id, leader->target, std::move(request),
                 left + absl::Milliseconds(500),
                 [self = shared_from_this(), id](absl::StatusOr<eddy::v1::DataResponse> response) {
                   self->OnProduceAnswer(id, std::move(response));
                 });
  }

  void OnProduceAnswer(uint64_t id, absl::StatusOr<eddy::v1::DataResponse> response) {
    absl::MutexLock lock(&mu);
    if (closed || id != attempt) return;
    if (!response.ok()) {
      // The stream broke or the broker did not answer: the batch may or may not be in the log.
      // Sending them again can only duplicate records, which replay applies idempotently.
      const ErrorCode code = response.status().code() == absl::StatusCode::kDeadlineExceeded
                                 ? ErrorCode::kRequestTimedOut
                                 : ErrorCode::kLeaderNotAvailable;
      RetryOrFail(id, code, std::string(response.status().message()));
      return;
    }
    if (!response->has_produce() || response->produce().results_size() != 1) {
      Complete(absl::InternalError("malformed produce answer from the broker"));
      return;
    }
    const eddy::v1::ProducePartitionResult& result = response->produce().results(0);
    const auto code = static_cast<ErrorCode>(result.error_code());
    if (code == ErrorCode::kNone) {
      Complete(absl::OkStatus());
    } else if (code == ErrorCode::kNotCoordinator) {
      Depose(result.error_message());
    } else if (RetriableProduceError(code)) {
      RetryOrFail(id, code, result.error_message());
    } else {
      spdlog::warn("{}: group log append failed: {} {}", Name(), CodeName(code),
                   result.error_message());
      Complete(FinalStatus(code, result.error_message()));
    }
  }

  // Depose: the leader holds a newer shard epoch, so another coordinator owns the shard. Nothing
  // pending can be written any more; the shard is to be unloaded here.
  void Depose(const std::string& message) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    spdlog::warn("{}: deposed at shard epoch {}: {}", Name(), options.shard_epoch, message);
    const absl::Status deposed = absl::AbortedError(
        absl::StrCat(CodeName(ErrorCode::kNotCoordinator), ": another coordinator owns the shard (",
                     message, ")"));
    for (PendingAppend& p : in_flight) post([done = std::move(p.done), deposed] { done(deposed); });
    for (PendingAppend& p : queued) post([done = std::move(p.done), deposed] { done(deposed); });
    in_flight.clear();
    queued.clear();
    closed = true;
    if (options.deposed) post(options.deposed);
  }

  void RetryOrFail(uint64_t id, ErrorCode code, const std::string& message)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (clock.Now() + options.retry_backoff >= deadline) {
      spdlog::warn("{}: group log append gave up: {} {}", Name(), CodeName(code), message);
      Complete(FinalStatus(code, message));
      return;
    }
    schedule(options.retry_backoff, [self = shared_from_this(), id] {
      absl::MutexLock lock(&self->mu);
      if (self->closed || id != self->attempt) return;
      self->Attempt();
    });
  }

  // Fetch sends one fetch and waits for its answer.
  absl::StatusOr<eddy::v1::FetchPartitionResult> Fetch(const PartitionLeader& leader,
                                                       int64_t offset, int32_t max_bytes) {
    eddy::v1::DataRequest request;
    eddy::v1::FetchRequest& fetch = *request.mutable_fetch();
    fetch.set_max_wait_ms(0);
    fetch.set_min_bytes(0);
    fetch.set_max_bytes(max_bytes);
    fetch.set_replica_id(-1);
    fetch.set_group_shard_epoch(options.shard_epoch);
    eddy::v1::FetchPartition& partition = *fetch.add_partitions();
    partition.mutable_partition()->set_topic(options.topic);
    partition.mutable_partition()->set_partition(options.partition);
    partition.set_fetch_offset(offset);
    partition.set_current_leader_epoch(leader.leader_epoch);
    partition.set_partition_max_bytes(max_bytes);
    partition.set_last_fetched_epoch(-1);
    absl::Notification answered;
    absl::StatusOr<eddy::v1::DataResponse> response;
    brokers.Send(leader.broker_id, leader.target, std::move(request), options.append_timeout,
                 [&](absl::StatusOr<eddy::v1::DataResponse> r) {
                   response = std::move(r);
                   answered.Notify();
                 });
    answered.WaitForNotification();
    if (!response.ok()) return response.status();
    if (!response->has_fetch() || response->fetch().results_size() != 1) {
      return absl::InternalError("malformed fetch answer from the broker");
    }
    return response->fetch().results(0);
  }

  bool Closed() {
    absl::MutexLock lock(&mu);
    return closed;
  }

  void Backoff() {
    absl::Notification waited;
    schedule(options.retry_backoff, [&waited] { waited.Notify(); });
    waited.WaitForNotification();
  }

  absl::Status Read(const std::function<void(const GroupLogRecord&)>& visit) {
    const absl::Time give_up = clock.Now() + options.load_timeout;
    int64_t offset = 0;
    // Where the replay ends: max(high watermark, log end offset) of the first accepted answer of
    // `end_leader` (broker id, leader epoch). That answer passed the shard-epoch barrier, so every
    // append of the previous owner is below it; a new leader takes the end again.
    int64_t end = -1;
    std::optional<std::pair<int32_t, int32_t>> end_leader;
    int32_t max_bytes = options.fetch_max_bytes;
    absl::Status last_error;
    while (end < 0 || offset < end) {
      if (Closed()) return absl::CancelledError(absl::StrCat(Name(), ": closed while loading"));
      if (clock.Now() >= give_up) {
        return absl::UnavailableError(
            absl::StrCat(Name(), ": could not read the group log: ", last_error.ToString()));
      }
      std::optional<PartitionLeader> leader = leaders(options.topic, options.partition);
      if (!leader || leader->broker_id < 0) {
        last_error = absl::UnavailableError("no leader known");
        Backoff();
        continue;
      }
      absl::StatusOr<eddy::v1::FetchPartitionResult> result = Fetch(*leader, offset, max_bytes);
      if (!result.ok()) {
        last_error = result.status();
        Backoff();
        continue;
      }
      const auto code = static_cast<ErrorCode>(result->error_code());
      if (code == ErrorCode::kOffsetOutOfRange && offset < result->log_start_offset()) {
        offset = result->log_start_offset();
        continue;
      }
      if (code == ErrorCode::kNotCoordinator) {
        spdlog::warn("{}: deposed while loading at shard epoch {}: {}", Name(), options.shard_epoch,
                     result->error_message());
        return absl::AbortedError(absl::StrCat(Name(), ": another coordinator owns the shard: ",
                                               result->error_message()));
      }
      if (code != ErrorCode::kNone) {
        // COORDINATOR_LOAD_IN_PROGRESS (the leader has not applied our shard epoch yet) and
        // leadership errors are retried until the load timeout.
        last_error =
            absl::UnavailableError(absl::StrCat(CodeName(code), " ", result->error_message()));
        if (code == ErrorCode::kOffsetOutOfRange || code == ErrorCode::kCorruptMessage) {
          return absl::DataLossError(absl::StrCat(Name(), ": ", last_error.message()));
        }
        Backoff();
        continue;
      }
      const std::pair<int32_t, int32_t> answered_by{leader->broker_id, leader->leader_epoch};
      if (end_leader != answered_by) {
        end_leader = answered_by;
        end = std::max({offset, result->high_watermark(), result->log_end_offset()});
      }
      offset = std::max(offset, result->log_start_offset());
      // Only replicated records replay: past the high watermark, wait for it to move.
      const int64_t readable = std::min(end, result->high_watermark());
      const std::string& bytes = result->records();
      bool truncated = false;
      absl::StatusOr<std::vector<kafka::RecordBatchView>> batches = kafka::SplitBatches(
          std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), &truncated);
      if (!batches.ok()) {
        return absl::DataLossError(
            absl::StrCat(Name(), ": unreadable batch: ", batches.status().message()));
      }
      const int64_t before = offset;
      bool unreplicated = offset >= readable;
      for (const kafka::RecordBatchView& batch : *batches) {
        const int64_t next = batch.last_offset().value() + 1;
        if (next <= offset) continue;
        if (next > readable && readable < end) {
          unreplicated = true;  // read it whole once the high watermark passed it
          break;
        }
        if (!batch.is_control()) {
          std::string storage;
          absl::StatusOr<std::vector<kafka::RecordView>> records =
              kafka::ReadAllRecords(batch, &storage);
          if (!records.ok()) {
            return absl::DataLossError(
                absl::StrCat(Name(), ": unreadable records: ", records.status().message()));
          }
          for (const kafka::RecordView& record : *records) {
            const int64_t at = batch.base_offset().value() + record.offset_delta;
            if (at < offset || at >= end) continue;
            if (!record.key) continue;  // not a group record (Kafka skips these too)
            GroupLogRecord out{std::string(*record.key), std::nullopt};
            if (record.value) out.value = std::string(*record.value);
            visit(out);
          }
        }
        offset = next;
      }
      if (offset == before && offset < end) {
        if (unreplicated) {
          last_error = absl::UnavailableError(absl::StrCat(
              "the high watermark ", result->high_watermark(), " has not reached ", end));
          Backoff();
          continue;
        }
        // Nothing whole fit: the next batch is larger than what we asked for.
        if (!truncated || max_bytes >= (1 << 30)) {
          return absl::DataLossError(absl::StrCat(Name(), ": no progress reading at offset ",
                                                  offset, " below the high watermark ", end));
        }
        max_bytes *= 2;
      }
    }
    return absl::OkStatus();
  }
};

BrokerGroupLog::BrokerGroupLog(BrokerGroupLogOptions options, runtime::BrokerDataPath& brokers,
                               LeaderLookup leaders, Schedule schedule, InMemoryGroupLog::Post post,
                               common::Clock& clock)
    : state_(std::make_shared<State>(std::move(options), brokers, std::move(leaders),
                                     std::move(schedule), std::move(post), clock)) {}

BrokerGroupLog::~BrokerGroupLog() { Close(); }

void BrokerGroupLog::Close() {
  absl::MutexLock lock(&state_->mu);
  if (state_->closed) return;
  const absl::Status gone = absl::FailedPreconditionError("the group shard was unloaded");
  for (State::PendingAppend& p : state_->in_flight) {
    state_->post([done = std::move(p.done), gone] { done(gone); });
  }
  for (State::PendingAppend& p : state_->queued) {
    state_->post([done = std::move(p.done), gone] { done(gone); });
  }
  state_->in_flight.clear();
  state_->queued.clear();
  state_->closed = true;
}

void BrokerGroupLog::Append(std::vector<GroupLogRecord> records, AppendCallback done) {
  absl::MutexLock lock(&state_->mu);
  if (state_->closed || records.empty()) {
    absl::Status status = state_->closed
                              ? absl::FailedPreconditionError("the group shard was unloaded")
                              : absl::OkStatus();
    state_->post([done = std::move(done), status] { done(status); });
    return;
  }
  size_t bytes = 0;
  for (const GroupLogRecord& r : records) bytes += r.key.size() + (r.value ? r.value->size() : 0);
  state_->queued.push_back({std::move(records), bytes, std::move(done)});
  state_->SendNext();
}

absl::Status BrokerGroupLog::Read(const std::function<void(const GroupLogRecord&)>& visit) {
  return state_->Read(visit);
}

}  // namespace eddy::coordinator
