// Shared fixture for the BrokerGroupLog tests: a scripted broker data path that records every
// request with its callback (the test answers), a manual clock and manual retry timers, a post
// queue the test drains (as the shard executor would run completions), answer builders, and
// ErrorFor (what a GroupShardSet answers for a group).
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/kafka/error_codes.h"
#include "libs/kafka/record_batch.h"
#include "libs/kafka/record_batch_builder.h"
#include "services/coordinator/broker_group_log.h"
#include "services/coordinator/group_shard_set.h"
#include "tests/testing/status_matchers.h"

namespace eddy::coordinator::testing {

using kafka::ErrorCode;

class ScriptedBrokers : public runtime::BrokerDataPath {
 public:
  struct Sent {
    int32_t broker;
    eddy::v1::DataRequest request;
    Callback callback;
  };
  void Send(int32_t broker_id, const std::string&, eddy::v1::DataRequest request, absl::Duration,
            Callback callback) override {
    absl::MutexLock lock(&mu_);
    sent_.push_back({broker_id, std::move(request), std::move(callback)});
  }
  std::deque<Sent> Take() {
    absl::MutexLock lock(&mu_);
    return std::exchange(sent_, {});
  }
  // WaitOne waits for the next request (Read sends from its own thread).
  Sent WaitOne() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](std::deque<Sent>* s) { return !s->empty(); }, &sent_));
    Sent s = std::move(sent_.front());
    sent_.pop_front();
    return s;
  }

 private:
  absl::Mutex mu_;
  std::deque<Sent> sent_ ABSL_GUARDED_BY(mu_);
};

inline eddy::v1::DataResponse ProduceAnswer(ErrorCode code) {
  eddy::v1::DataResponse r;
  auto* result = r.mutable_produce()->add_results();
  result->mutable_partition()->set_topic("__consumer_offsets");
  result->mutable_partition()->set_partition(7);
  result->set_error_code(static_cast<int32_t>(code));
  return r;
}

// Records of every batch in a produce request's records blob.
inline std::vector<GroupLogRecord> RecordsOf(const eddy::v1::DataRequest& request, int* batches) {
  const std::string& bytes = request.produce().partitions(0).records();
  auto views =
      kafka::SplitBatches(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  EXPECT_THAT(views.status(), ::eddy::testing::IsOk());
  std::vector<GroupLogRecord> out;
  *batches = 0;
  for (const auto& batch : *views) {
    ++*batches;
    EXPECT_EQ(batch.magic(), 2);
    EXPECT_THAT(batch.VerifyCrc(), ::eddy::testing::IsOk());
    std::string storage;
    auto records = kafka::ReadAllRecords(batch, &storage);
    EXPECT_THAT(records.status(), ::eddy::testing::IsOk());
    for (const auto& r : *records) {
      out.push_back(
          {std::string(*r.key), r.value ? std::optional<std::string>(*r.value) : std::nullopt});
    }
  }
  return out;
}

class BrokerGroupLogTest : public ::testing::Test {
 protected:
  BrokerGroupLogTest() { MakeLog(); }

  void MakeLog() {
    log_ = std::make_unique<BrokerGroupLog>(
        BrokerGroupLogOptions{.partition = 7,
                              .shard_epoch = 3,
                              .deposed = [this] { ++deposed_; },
                              .append_timeout = absl::Seconds(5),
                              .load_timeout = absl::Seconds(10),
                              .retry_backoff = absl::Milliseconds(100)},
        brokers_,
        [this](const std::string& topic, int32_t partition) -> std::optional<PartitionLeader> {
          EXPECT_EQ(topic, "__consumer_offsets");
          EXPECT_EQ(partition, 7);
          absl::MutexLock lock(&mu_);
          return leader_;
        },
        [this](absl::Duration delay, std::function<void()> fn) {
          absl::MutexLock lock(&mu_);
          timers_.push_back({delay, std::move(fn)});
        },
        [this](std::function<void()> fn) {
          absl::MutexLock lock(&mu_);
          posted_.push_back(std::move(fn));
        },
        clock_);
  }

  void SetLeader(std::optional<PartitionLeader> leader) {
    absl::MutexLock lock(&mu_);
    leader_ = std::move(leader);
  }
  // FireTimers advances the clock by each timer's delay and runs it.
  int FireTimers() {
    std::deque<std::pair<absl::Duration, std::function<void()>>> due;
    {
      absl::MutexLock lock(&mu_);
      due.swap(timers_);
    }
    for (auto& [delay, fn] : due) {
      clock_.Advance(delay);
      fn();
    }
    return static_cast<int>(due.size());
  }
  void Drain() {
    std::deque<std::function<void()>> posted;
    {
      absl::MutexLock lock(&mu_);
      posted.swap(posted_);
    }
    for (auto& fn : posted) fn();
  }
  void Append(std::string key, std::optional<std::string> value) {
    std::vector<GroupLogRecord> records;
    records.push_back({std::move(key), std::move(value)});
    const int index = appended_++;
    log_->Append(std::move(records), [this, index](absl::Status s) {
      results_.push_back({index, std::move(s)});
    });
  }

  common::ManualClock clock_;
  ScriptedBrokers brokers_;
  absl::Mutex mu_;
  std::optional<PartitionLeader> leader_ ABSL_GUARDED_BY(mu_) = PartitionLeader{
      .broker_id = 1, .target = "b1:1", .leader_epoch = 4};
  std::deque<std::pair<absl::Duration, std::function<void()>>> timers_ ABSL_GUARDED_BY(mu_);
  std::deque<std::function<void()>> posted_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<BrokerGroupLog> log_;
  int appended_ = 0;
  int deposed_ = 0;
  std::vector<std::pair<int, absl::Status>> results_;
};

inline std::string Batch(int64_t base_offset, std::vector<GroupLogRecord> records) {
  kafka::RecordBatchBuilder builder({.base_offset = Offset(base_offset)});
  for (const auto& r : records) {
    builder.Append(1000, r.key, r.value ? std::optional<std::string_view>(*r.value) : std::nullopt);
  }
  return *builder.Build();
}

inline eddy::v1::DataResponse FetchAnswer(ErrorCode code, int64_t hw, int64_t log_start,
                                   std::string records, int64_t log_end = 0) {
  eddy::v1::DataResponse r;
  auto* result = r.mutable_fetch()->add_results();
  result->set_error_code(static_cast<int32_t>(code));
  result->set_high_watermark(hw);
  result->set_log_start_offset(log_start);
  result->set_log_end_offset(log_end);
  result->set_records(std::move(records));
  return r;
}


inline ErrorCode ErrorFor(GroupShardSet& shards, const std::string& group) {
  absl::Notification answered;
  ErrorCode error = ErrorCode::kUnknownServerError;
  shards.WithGroup(group, [&](GroupCoordinator*, ErrorCode e) {
    error = e;
    answered.Notify();
  });
  answered.WaitForNotification();
  return error;
}

}  // namespace eddy::coordinator::testing
