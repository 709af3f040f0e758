#include "tests/testing/test_producer.h"

#include <memory>
#include <set>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace eddy::testing {

namespace {

// kRetryPause spaces attempts while leadership moves (a bounded retry, as a client's
// retry.backoff.ms).
constexpr absl::Duration kRetryPause = absl::Milliseconds(100);

bool Retriable(int32_t error) {
  switch (error) {
    case 3:   // UNKNOWN_TOPIC_OR_PARTITION (metadata not there yet)
    case 6:   // NOT_LEADER_OR_FOLLOWER
    case 7:   // REQUEST_TIMED_OUT
    case 19:  // NOT_ENOUGH_REPLICAS
    case 20:  // NOT_ENOUGH_REPLICAS_AFTER_APPEND
    case 74:  // FENCED_LEADER_EPOCH
    case 75:  // UNKNOWN_LEADER_EPOCH
      return true;
    default:
      return false;
  }
}

}  // namespace

absl::Status TestProducer::Run(int64_t records_per_partition) {
  std::vector<absl::Status> results(options_.partitions);
  std::vector<std::thread> threads;
  for (int32_t p = 0; p < options_.partitions; ++p) {
    threads.emplace_back([this, p, records_per_partition, &results] {
      results[p] = RunPartition(p, records_per_partition);
    });
  }
  for (std::thread& t : threads) t.join();
  for (const absl::Status& s : results) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

void TestProducer::Allow(int64_t records_per_partition) {
  absl::MutexLock lock(&allow_mu_);
  allowed_ = records_per_partition;
}

absl::Status TestProducer::RunPartition(int32_t partition, int64_t records) {
  std::map<int32_t, std::unique_ptr<DataStreamClient>> clients;
  std::vector<int64_t> key_counters(options_.keys_per_partition, 0);
  int32_t sequence = 0;
  int32_t leader = -1;
  int64_t sent = 0;
  while (sent < records) {
    {
      absl::MutexLock lock(&allow_mu_);
      const int64_t next = std::min<int64_t>(sent + options_.records_per_batch, records);
      auto allowed = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(allow_mu_) { return allowed_ >= next; };
      allow_mu_.Await(absl::Condition(&allowed));
    }
    TestBatch batch;
    batch.producer_id = options_.producer_id;
    batch.producer_epoch = 0;
    batch.base_sequence = sequence;
    std::vector<std::string> values;
    const int64_t n = std::min<int64_t>(options_.records_per_batch, records - sent);
    for (int64_t i = 0; i < n; ++i) {
      const int k = static_cast<int>((sent + i) % options_.keys_per_partition);
      const std::string key = absl::StrCat("p", partition, "-k", k);
      std::string value = absl::StrCat(key, "#", key_counters[k]++);
      batch.records.emplace_back(key, value);
      values.push_back(std::move(value));
    }
    const std::string bytes = BuildBatch(batch);
    const absl::Time give_up = absl::Now() + options_.batch_deadline;
    bool first_attempt = true;
    while (true) {
      if (absl::Now() > give_up) {
        return absl::DeadlineExceededError(absl::StrCat(options_.topic, "-", partition,
                                                        ": batch at sequence ", sequence,
                                                        " not acknowledged in time"));
      }
      if (!first_attempt) {
        retries_.fetch_add(1);
        absl::SleepFor(kRetryPause);
      }
      first_attempt = false;
      if (leader < 0) {
        absl::StatusOr<PartitionState> state =
            GetPartitionState(options_.controller, options_.topic, partition);
        if (!state.ok() || state->leader < 0 || !options_.brokers.contains(state->leader)) continue;
        leader = state->leader;
      }
      std::unique_ptr<DataStreamClient>& client = clients[leader];
      if (client == nullptr || client->broken()) {
        client = std::make_unique<DataStreamClient>(options_.brokers.at(leader));
      }
      absl::StatusOr<eddy::v1::DataResponse> response =
          client->Call(ProduceRequest(options_.topic, partition, bytes, options_.acks,
                                      options_.request_timeout_ms),
                       absl::Milliseconds(options_.request_timeout_ms) + absl::Seconds(2));
      if (!response.ok() || response->produce().results_size() != 1) {
        // No answer (a dead or paused broker): a new stream and fresh metadata next time.
        client.reset();
        leader = -1;
        continue;
      }
      const eddy::v1::ProducePartitionResult& result = response->produce().results(0);
      if (result.error_code() == 0) break;
      if (!Retriable(result.error_code())) {
        return absl::InternalError(absl::StrCat(options_.topic, "-", partition, ": produce error ",
                                                result.error_code(), " ", result.error_message(),
                                                " at sequence ", sequence));
      }
      leader = -1;
    }
    {
      absl::MutexLock lock(&mu_);
      auto& acked = acknowledged_[partition];
      acked.insert(acked.end(), values.begin(), values.end());
    }
    acked_.fetch_add(n);
    sent += n;
    sequence += static_cast<int32_t>(n);
  }
  return absl::OkStatus();
}

std::map<int32_t, std::vector<std::string>> TestProducer::Acknowledged() const {
  absl::MutexLock lock(&mu_);
  return acknowledged_;
}

absl::StatusOr<std::vector<DecodedRecord>> ReadPartition(const TestProducerOptions& cluster,
                                                         int32_t partition) {
  absl::StatusOr<PartitionState> state =
      GetPartitionState(cluster.controller, cluster.topic, partition);
  if (!state.ok()) return state.status();
  if (state->leader < 0 || !cluster.brokers.contains(state->leader)) {
    return absl::UnavailableError(absl::StrCat("partition ", partition, " has no leader"));
  }
  DataStreamClient client(cluster.brokers.at(state->leader));
  std::vector<DecodedRecord> out;
  int64_t offset = 0;
  while (true) {
    absl::StatusOr<eddy::v1::DataResponse> response =
        client.Call(FetchRequest(cluster.topic, partition, offset, 0, 1 << 20));
    if (!response.ok()) return response.status();
    const eddy::v1::FetchPartitionResult& result = response->fetch().results(0);
    if (result.error_code() == 1 && offset < result.log_start_offset()) {
      offset = result.log_start_offset();
      continue;
    }
    if (result.error_code() != 0) {
      return absl::InternalError(absl::StrCat("fetch error ", result.error_code()));
    }
    absl::StatusOr<std::vector<DecodedRecord>> records = DecodeRecords(result.records());
    if (!records.ok()) return records.status();
    for (DecodedRecord& r : *records) {
      if (r.offset >= offset) out.push_back(std::move(r));
    }
    if (!out.empty()) offset = out.back().offset + 1;
    if (records->empty() || offset >= result.high_watermark()) break;
  }
  return out;
}

std::string CheckExactlyOnce(const std::vector<DecodedRecord>& read,
                             const std::vector<std::string>& acknowledged) {
  std::string problems;
  int reported = 0;
  auto report = [&](const std::string& what) {
    if (reported++ < 10) absl::StrAppend(&problems, what, "\n");
  };
  std::map<std::string, int> seen;
  std::map<std::string, int64_t> last_counter;
  for (const DecodedRecord& r : read) {
    if (++seen[r.value] == 2) report(absl::StrCat("duplicate ", r.value, " at offset ", r.offset));
    const size_t hash = r.value.rfind('#');
    int64_t counter = -1;
    if (hash == std::string::npos || !absl::SimpleAtoi(r.value.substr(hash + 1), &counter)) {
      report(absl::StrCat("unexpected value ", r.value));
      continue;
    }
    auto [it, inserted] = last_counter.emplace(r.key, counter);
    if (!inserted) {
      if (counter <= it->second) {
        report(absl::StrCat("key ", r.key, " out of order: ", counter, " after ", it->second,
                            " at offset ", r.offset));
      }
      it->second = counter;
    }
  }
  for (const std::string& value : acknowledged) {
    if (!seen.contains(value)) report(absl::StrCat("acknowledged ", value, " lost"));
  }
  if (reported > 10) absl::StrAppend(&problems, reported - 10, " more\n");
  return problems;
}

}  // namespace eddy::testing
