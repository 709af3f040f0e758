// RegistryQuorum with one voter (it elects itself; no peers to reach): commands go through the
// Raft log into the store, refusals come back as the store's errors, a restart resumes after the
// store's applied index, and a store lost entirely is rebuilt from the Raft snapshot and log. The
// three-replica behaviour (forwarding, failover) is tests/integration/registry_replication_test.cc.
#include "services/registry/registry_quorum.h"

#include <filesystem>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/registry/registry_errors.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_for.h"

namespace eddy::registry {
namespace {

using ::eddy::testing::IsOk;
using ::testing::HasSubstr;

TEST(ParseRegistryVotersTest, ParsesAndRejects) {
  absl::StatusOr<std::vector<RegistryVoter>> voters =
      ParseRegistryVoters("1@127.0.0.1:9096, 2@localhost:9196,3@[::1]:9296");
  ASSERT_THAT(voters.status(), IsOk());
  ASSERT_EQ(voters->size(), 3u);
  EXPECT_EQ((*voters)[0].id, NodeId(1));
  EXPECT_EQ((*voters)[0].target, "127.0.0.1:9096");
  EXPECT_EQ((*voters)[2].target, "[::1]:9296");
  EXPECT_THAT(ParseRegistryVoters("").status().message(), HasSubstr("empty"));
  EXPECT_THAT(ParseRegistryVoters("1-127.0.0.1:9096").status().message(), HasSubstr("'@'"));
  EXPECT_THAT(ParseRegistryVoters("0@h:1").status().message(), HasSubstr("id must be > 0"));
  EXPECT_THAT(ParseRegistryVoters("1@h:70000").status().message(), HasSubstr("port"));
  EXPECT_THAT(ParseRegistryVoters("1@h").status().message(), HasSubstr("host:port"));
  EXPECT_THAT(ParseRegistryVoters("1@h:1,1@g:2").status().message(), HasSubstr("duplicate"));
}

class RegistryQuorumTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("registry_quorum_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    quorum_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Open() {
    quorum_.reset();
    store_.reset();
    auto store = RegistryStore::Open((dir_ / "store").string());
    ASSERT_THAT(store.status(), IsOk());
    store_ = *std::move(store);
    auto quorum = RegistryQuorum::Create({.self = NodeId(1),
                                          .voters = {{NodeId(1), "127.0.0.1:1"}},
                                          .dir = (dir_ / "raft").string(),
                                          .tick_interval = absl::Milliseconds(5),
                                          .election_ticks = 4,
                                          .snapshot_interval_entries = 4},
                                         *store_);
    ASSERT_THAT(quorum.status(), IsOk());
    quorum_ = *std::move(quorum);
    quorum_->Start();
    ASSERT_TRUE(testing::WaitFor([&] { return quorum_->IsLeader(); }, absl::Seconds(10)));
  }

  absl::StatusOr<CommandResult> Register(const std::string& subject, const std::string& text) {
    eddy::v1::RegistryCommand command;
    command.mutable_register_schema()->set_subject(subject);
    command.mutable_register_schema()->mutable_schema()->set_type(eddy::v1::SCHEMA_TYPE_AVRO);
    command.mutable_register_schema()->mutable_schema()->set_schema(text);
    return quorum_->Write(command);
  }

  std::filesystem::path dir_;
  std::unique_ptr<RegistryStore> store_;
  std::unique_ptr<RegistryQuorum> quorum_;
};

TEST_F(RegistryQuorumTest, WritesApplyThroughTheLogAndRefusalsComeBack) {
  Open();
  EXPECT_THAT(quorum_->Sync(), IsOk());
  absl::StatusOr<CommandResult> first = Register("a", "\"string\"");
  ASSERT_THAT(first.status(), IsOk());
  EXPECT_EQ(first->id, 1);
  EXPECT_EQ(first->version, 1);
  EXPECT_EQ(store_->AppliedIndex(), quorum_->AppliedIndex());
  EXPECT_TRUE(quorum_->WaitApplied(quorum_->AppliedIndex(), absl::ZeroDuration()));
  EXPECT_FALSE(quorum_->WaitApplied(quorum_->AppliedIndex() + 1, absl::Milliseconds(10)));
  // Permanent delete of a live version: the store refuses, the driver keeps running.
  eddy::v1::RegistryCommand refused;
  refused.mutable_delete_version()->set_subject("a");
  refused.mutable_delete_version()->set_version(1);
  refused.mutable_delete_version()->set_permanent(true);
  EXPECT_EQ(ErrorCodeOf(quorum_->Write(refused).status()), 40407);
  absl::StatusOr<CommandResult> second = Register("b", "\"long\"");
  ASSERT_THAT(second.status(), IsOk());
  EXPECT_EQ(second->id, 2);
  EXPECT_EQ(quorum_->LeaderTarget(), std::nullopt);  // it leads itself
  // Stopped: writes answer 50004 instead of hanging.
  quorum_->StopDriver();
  EXPECT_EQ(ErrorCodeOf(Register("c", "\"int\"").status()), 50004);
}

TEST_F(RegistryQuorumTest, RestartResumesAfterTheAppliedIndexAndALostStoreIsRebuilt) {
  Open();
  for (int i = 0; i < 10; ++i) {
    ASSERT_THAT(Register("s" + std::to_string(i), "\"string\"").status(), IsOk());
  }
  const int64_t applied = quorum_->AppliedIndex();
  // Restart: the store already holds everything; nothing is applied twice (a replayed
  // registration would be harmless here, so check the index instead of the contents).
  Open();
  EXPECT_GE(quorum_->AppliedIndex(), applied);
  EXPECT_EQ(store_->Subjects(false).size(), 10u);
  absl::StatusOr<CommandResult> next = Register("after-restart", "\"bytes\"");
  ASSERT_THAT(next.status(), IsOk());
  EXPECT_EQ(next->id, 2);

  // The store directory is lost: the Raft snapshot (every 4 entries) plus the log rebuild it.
  quorum_.reset();
  store_.reset();
  std::filesystem::remove_all(dir_ / "store");
  Open();
  EXPECT_EQ(store_->Subjects(false).size(), 11u);
  EXPECT_EQ(store_->MaxId(), 2);
  absl::StatusOr<CommandResult> more = Register("after-rebuild", "\"double\"");
  ASSERT_THAT(more.status(), IsOk());
  EXPECT_EQ(more->id, 3);
}

TEST_F(RegistryQuorumTest, RefusesAStoreTheRaftLogDoesNotExplain) {
  // A single registry's data under a new quorum would diverge from the other, empty replicas.
  {
    auto store = RegistryStore::Open((dir_ / "store").string());
    ASSERT_THAT(store.status(), IsOk());
    eddy::v1::RegistryCommand command;
    command.mutable_set_config()->set_compatibility("NONE");
    ASSERT_THAT((*store)->Apply(command).status(), IsOk());
    auto quorum = RegistryQuorum::Create({.self = NodeId(1),
                                          .voters = {{NodeId(1), "127.0.0.1:1"}},
                                          .dir = (dir_ / "raft").string()},
                                         **store);
    EXPECT_EQ(quorum.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(quorum.status().message(), HasSubstr("export|import"));
  }
  std::filesystem::remove_all(dir_ / "store");
  // A store ahead of its Raft log (the log directory replaced) is refused too.
  Open();
  ASSERT_THAT(Register("a", "\"string\"").status(), IsOk());
  quorum_.reset();
  std::filesystem::remove_all(dir_ / "raft");
  auto quorum = RegistryQuorum::Create(
      {.self = NodeId(1), .voters = {{NodeId(1), "127.0.0.1:1"}}, .dir = (dir_ / "raft").string()},
      *store_);
  EXPECT_EQ(quorum.status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace eddy::registry
