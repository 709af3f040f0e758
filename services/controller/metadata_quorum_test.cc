// MetadataQuorum on one voter in-process (real RocksDB, real driver thread): commands write
// records and report where they landed, watchers get a snapshot then deltas and resume from an
// offset, and a restart recovers the image from the Raft log. Plus the voter-list parser.
#include "services/controller/metadata_quorum.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/controller/broker_lifecycle.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_for.h"

namespace eddy::controller {
namespace {

using ::eddy::testing::StatusIs;
using ::eddy::testing::WaitFor;

TEST(ParseQuorumVotersTest, ParsesKafkaStyleVoterLists) {
  EDDY_ASSERT_OK_AND_ASSIGN(std::vector<QuorumVoter> voters,
                            ParseQuorumVoters("1@127.0.0.1:9093, 2@localhost:9193,3@[::1]:9293"));
  ASSERT_EQ(voters.size(), 3u);
  EXPECT_EQ(voters[0].id, NodeId(1));
  EXPECT_EQ(voters[0].endpoint.host(), "127.0.0.1");
  EXPECT_EQ(voters[0].endpoint.port(), 9093);
  EXPECT_EQ(voters[1].endpoint.host(), "localhost");
  EXPECT_EQ(voters[2].endpoint.host(), "[::1]");
  EXPECT_EQ(voters[2].endpoint.port(), 9293);
}

TEST(ParseQuorumVotersTest, RejectsMalformedLists) {
  for (const char* bad :
       {"", "1", "1@host", "0@h:1", "x@h:1", "1@h:0", "1@h:70000", "1@:9093", "1@h:1,1@h:2"}) {
    EXPECT_THAT(ParseQuorumVoters(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
}

class MetadataQuorumTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/metadata_quorum_XXXXXX";
    ASSERT_NE(::mkdtemp(dir_.data()), nullptr);
  }
  void TearDown() override {
    quorum_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Open() {
    quorum_.reset();
    QuorumVoter self{.id = NodeId(1), .endpoint = {}};
    self.endpoint.set_host("127.0.0.1");
    self.endpoint.set_port(1);
    metrics_ = std::make_unique<metrics::Registry>();
    absl::StatusOr<std::unique_ptr<MetadataQuorum>> quorum = MetadataQuorum::Create(
        {.self = NodeId(1), .voters = {self}, .dir = dir_, .tick_interval = absl::Milliseconds(5)},
        *metrics_);
    ASSERT_TRUE(quorum.ok()) << quorum.status();
    quorum_ = *std::move(quorum);
    quorum_->Start();
    ASSERT_TRUE(WaitFor([&] { return quorum_->IsLeader(); }, absl::Seconds(10)));
  }

  absl::StatusOr<QuorumWrite> Run(MetadataQuorum::Command command) {
    absl::Mutex mu;
    std::optional<absl::StatusOr<QuorumWrite>> result;
    quorum_->Submit(std::move(command), [&](absl::StatusOr<QuorumWrite> write) {
      absl::MutexLock lock(&mu);
      result = std::move(write);
    });
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(
        +[](std::optional<absl::StatusOr<QuorumWrite>>* r) { return r->has_value(); }, &result));
    return **std::move(result);
  }

  absl::StatusOr<QuorumWrite> Register(int32_t broker) {
    return Run([broker](const MetadataImage& image) {
      return RegisterBroker(image, {.broker_id = BrokerId(broker), .incarnation_id = "i"}, false)
          .records;
    });
  }

  std::string dir_;
  std::unique_ptr<metrics::Registry> metrics_;
  std::unique_ptr<MetadataQuorum> quorum_;
};

TEST_F(MetadataQuorumTest, CommandsWriteInOrderAndReportTheirOffsetAndTerm) {
  Open();
  EDDY_ASSERT_OK_AND_ASSIGN(QuorumWrite first, Register(1));
  EDDY_ASSERT_OK_AND_ASSIGN(QuorumWrite second, Register(2));
  EXPECT_GT(second.index, first.index);
  EXPECT_EQ(first.term, quorum_->status().node.term);
  quorum_->Read([&](const MetadataImage& image) {
    ASSERT_NE(image.FindBroker(BrokerId(1)), nullptr);
    EXPECT_EQ(image.FindBroker(BrokerId(1))->broker_epoch(), first.index.value());
    EXPECT_EQ(image.last_applied_index(), second.index);
  });
  // A command that writes nothing reports the image's offset.
  EDDY_ASSERT_OK_AND_ASSIGN(QuorumWrite none, Run([](const MetadataImage&) {
                              return std::vector<eddy::v1::MetadataRecord>{};
                            }));
  EXPECT_EQ(none.index, second.index);
}

TEST_F(MetadataQuorumTest, WatchersGetASnapshotThenDeltasAndResumeFromAnOffset) {
  Open();
  EDDY_ASSERT_OK_AND_ASSIGN(QuorumWrite first, Register(1));
  absl::Mutex mu;
  std::vector<eddy::v1::MetadataDelta> seen;
  const uint64_t id = quorum_->Watch(0, [&](const eddy::v1::MetadataDelta& delta) {
    absl::MutexLock lock(&mu);
    seen.push_back(delta);
  });
  EDDY_ASSERT_OK_AND_ASSIGN(QuorumWrite second, Register(2));
  quorum_->Unwatch(id);
  {
    absl::MutexLock lock(&mu);
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_TRUE(seen[0].snapshot());
    EXPECT_EQ(seen[0].offset(), first.index.value());
    EXPECT_FALSE(seen[1].snapshot());
    EXPECT_EQ(seen[1].offset(), second.index.value());
    ASSERT_EQ(seen[1].members_size(), 1);
    EXPECT_EQ(seen[1].members(0).member_id(), 2);
  }

  // Resuming from the first write's offset replays only what came after it.
  std::vector<eddy::v1::MetadataDelta> resumed;
  quorum_->Unwatch(quorum_->Watch(first.index.value(), [&](const eddy::v1::MetadataDelta& delta) {
    resumed.push_back(delta);
  }));
  ASSERT_EQ(resumed.size(), 1u);
  EXPECT_FALSE(resumed[0].snapshot());
  EXPECT_EQ(resumed[0].offset(), second.index.value());
}

TEST_F(MetadataQuorumTest, RestartRecoversTheImageFromTheLog) {
  Open();
  EDDY_ASSERT_OK(Register(1).status());
  EDDY_ASSERT_OK_AND_ASSIGN(QuorumWrite last, Register(2));
  Open();
  ASSERT_TRUE(WaitFor(
      [&] {
        bool recovered = false;
        quorum_->Read([&](const MetadataImage& image) {
          recovered = image.last_applied_index() >= last.index && image.brokers().size() == 2;
        });
        return recovered;
      },
      absl::Seconds(10)));
  // A restarted node keeps writing after what it recovered.
  EDDY_ASSERT_OK_AND_ASSIGN(QuorumWrite next, Register(3));
  EXPECT_GT(next.index, last.index);
}

}  // namespace
}  // namespace eddy::controller
