// The broker's Data stream against one real eddy-broker (issue 6): produce and fetch by id on one
// stream, long-poll, ListOffsets, DeleteRecords, OffsetForLeaderEpoch, DescribeLogDirs, and
// acceptance 4: a bad CRC, a wrong magic, a truncated batch and an oversized batch are rejected
// with CORRUPT_MESSAGE / INVALID_RECORD / MESSAGE_TOO_LARGE, nothing is appended, and the broker
// keeps serving.
#include <future>
#include <string>

#include "gtest/gtest.h"
#include "tests/integration/broker_test_cluster.h"

namespace eddy::testing {
namespace {

constexpr int kCorruptMessage = 2;
constexpr int kMessageTooLarge = 10;
constexpr int kInvalidRecord = 87;
constexpr int kOffsetOutOfRange = 1;
constexpr int kUnknownTopicOrPartition = 3;

std::string Records(int n, const std::string& value = "value", int64_t ts = 0) {
  TestBatch batch;
  batch.timestamp_ms = ts;
  for (int i = 0; i < n; ++i) batch.records.emplace_back("key" + std::to_string(i), value);
  return BuildBatch(batch);
}

class BrokerDataTest : public BrokerClusterTest {
 protected:
  void SetUp() override {
    StartCluster(1);
    CreateTopicAndWait("t", 1, 1, {{"max.message.bytes", "4096"}});
    client_ = std::make_unique<DataStreamClient>(brokers_.at(1));
  }

  eddy::v1::ProducePartitionResult Produce(std::string records, int acks = 1) {
    auto response = client_->Call(ProduceRequest("t", 0, std::move(records), acks));
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? response->produce().results(0) : eddy::v1::ProducePartitionResult();
  }

  int64_t Latest() {
    eddy::v1::DataRequest request;
    auto* p = request.mutable_list_offsets()->add_partitions();
    p->mutable_partition()->set_topic("t");
    p->set_timestamp(-1);
    p->set_current_leader_epoch(-1);
    auto response = client_->Call(request);
    EXPECT_TRUE(response.ok());
    return response.ok() ? response->list_offsets().results(0).offset() : -1;
  }

  std::unique_ptr<DataStreamClient> client_;
};

TEST_F(BrokerDataTest, ProduceFetchAndOffsets) {
  EXPECT_EQ(Produce(Records(3, "a", 1'000)).base_offset(), 0);
  EXPECT_EQ(Produce(Records(2, "b", 5'000), -1).base_offset(), 3);
  EXPECT_EQ(Produce(Records(1, "c", 3'000), 0).error_code(), 0);
  ASSERT_TRUE(WaitFor([&] { return Latest() == 6; }, absl::Seconds(5)));

  auto fetched = client_->Call(FetchRequest("t", 0, 0));
  ASSERT_TRUE(fetched.ok());
  const auto& result = fetched->fetch().results(0);
  EXPECT_EQ(result.error_code(), 0);
  EXPECT_EQ(result.high_watermark(), 6);
  auto records = DecodeRecords(result.records());
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 6u);
  EXPECT_EQ((*records)[3].value, "b");

  auto out_of_range = client_->Call(FetchRequest("t", 0, 100));
  ASSERT_TRUE(out_of_range.ok());
  EXPECT_EQ(out_of_range->fetch().results(0).error_code(), kOffsetOutOfRange);
  auto unknown = client_->Call(FetchRequest("nope", 0, 0));
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->fetch().results(0).error_code(), kUnknownTopicOrPartition);

  // ListOffsets: earliest, by timestamp, max timestamp.
  eddy::v1::DataRequest list;
  for (int64_t ts : {-2LL, 2'000LL, -3LL, 99'000LL}) {
    auto* p = list.mutable_list_offsets()->add_partitions();
    p->mutable_partition()->set_topic("t");
    p->set_timestamp(ts);
    p->set_current_leader_epoch(-1);
  }
  auto listed = client_->Call(list);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->list_offsets().results(0).offset(), 0);
  EXPECT_EQ(listed->list_offsets().results(1).offset(), 3);  // first ts >= 2000: batch b
  EXPECT_EQ(listed->list_offsets().results(1).timestamp(), 5'000);
  // Max timestamp: b's records all carry 5000; the first of them.
  EXPECT_EQ(listed->list_offsets().results(2).offset(), 3);
  EXPECT_EQ(listed->list_offsets().results(2).timestamp(), 5'000);
  EXPECT_EQ(listed->list_offsets().results(3).offset(), -1);

  eddy::v1::DataRequest epochs;
  auto* e = epochs.mutable_offset_for_leader_epoch()->add_partitions();
  e->mutable_partition()->set_topic("t");
  e->set_current_leader_epoch(-1);
  e->set_leader_epoch(0);
  auto epoch_answer = client_->Call(epochs);
  ASSERT_TRUE(epoch_answer.ok());
  EXPECT_EQ(epoch_answer->offset_for_leader_epoch().results(0).error_code(), 0);
  EXPECT_EQ(epoch_answer->offset_for_leader_epoch().results(0).end_offset(), 6);

  eddy::v1::DataRequest dirs;
  dirs.mutable_describe_log_dirs();
  auto described = client_->Call(dirs);
  ASSERT_TRUE(described.ok());
  ASSERT_EQ(described->describe_log_dirs().log_dirs_size(), 1);
  ASSERT_EQ(described->describe_log_dirs().log_dirs(0).partitions_size(), 1);
  EXPECT_GT(described->describe_log_dirs().log_dirs(0).partitions(0).size_bytes(), 0);

  eddy::v1::DataRequest del;
  auto* d = del.mutable_delete_records()->add_partitions();
  d->mutable_partition()->set_topic("t");
  d->set_offset(2);
  auto deleted = client_->Call(del);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->delete_records().results(0).low_watermark(), 2);
  auto below = client_->Call(FetchRequest("t", 0, 0));
  ASSERT_TRUE(below.ok());
  EXPECT_EQ(below->fetch().results(0).error_code(), kOffsetOutOfRange);
  EXPECT_EQ(below->fetch().results(0).log_start_offset(), 2);
}

TEST_F(BrokerDataTest, FetchLongPollsUntilDataArrives) {
  ASSERT_EQ(Produce(Records(1)).error_code(), 0);
  // Nothing new: the fetch waits its max_wait_ms and answers empty.
  const absl::Time start = absl::Now();
  auto empty = client_->Call(FetchRequest("t", 0, 1, 300));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->fetch().results(0).records().empty());
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(250));

  // A parked fetch answers as soon as a produce lands, long before its max wait.
  auto parked = client_->Send(FetchRequest("t", 0, 1, 20000));
  ASSERT_EQ(parked.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  const absl::Time produced = absl::Now();
  ASSERT_EQ(Produce(Records(2, "late")).error_code(), 0);
  ASSERT_EQ(parked.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_LT(absl::Now() - produced, absl::Seconds(5));
  auto answer = parked.get();
  ASSERT_TRUE(answer.ok());
  auto records = DecodeRecords(answer->fetch().results(0).records());
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].value, "late");
}

TEST_F(BrokerDataTest, BadBatchesAreRejectedAndNothingIsAppended) {
  ASSERT_EQ(Produce(Records(2)).error_code(), 0);
  const int64_t end = Latest();

  std::string bad_crc = Records(3);
  bad_crc[bad_crc.size() - 2] ^= 0x5a;  // a value byte, inside the CRC's range
  EXPECT_EQ(Produce(bad_crc).error_code(), kCorruptMessage);

  std::string bad_magic = Records(3);
  bad_magic[16] = 1;  // magic
  EXPECT_EQ(Produce(bad_magic).error_code(), kInvalidRecord);

  std::string truncated = Records(3);
  truncated.resize(truncated.size() - 7);
  EXPECT_EQ(Produce(truncated).error_code(), kCorruptMessage);

  EXPECT_EQ(Produce(Records(2, std::string(3000, 'x'))).error_code(), kMessageTooLarge);
  EXPECT_EQ(Produce(std::string("garbage")).error_code(), kCorruptMessage);

  EXPECT_EQ(Latest(), end);
  // Still serving, on the same stream.
  EXPECT_EQ(Produce(Records(1, "after")).base_offset(), end);
  auto fetched = client_->Call(FetchRequest("t", 0, end));
  ASSERT_TRUE(fetched.ok());
  auto records = DecodeRecords(fetched->fetch().results(0).records());
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].value, "after");
}

}  // namespace
}  // namespace eddy::testing
