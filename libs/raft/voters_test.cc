#include "libs/raft/voters.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eddy::raft {
namespace {

using ::testing::HasSubstr;

TEST(ParseVotersTest, ParsesKafkaStyleVoterLists) {
  absl::StatusOr<std::vector<Voter>> voters =
      ParseVoters("1@127.0.0.1:9093, 2@localhost:9193,3@[::1]:9293");
  ASSERT_TRUE(voters.ok()) << voters.status();
  ASSERT_EQ(voters->size(), 3u);
  EXPECT_EQ((*voters)[0].id, NodeId(1));
  EXPECT_EQ((*voters)[0].host, "127.0.0.1");
  EXPECT_EQ((*voters)[0].port, 9093);
  EXPECT_EQ((*voters)[0].target(), "127.0.0.1:9093");
  EXPECT_EQ((*voters)[1].host, "localhost");
  EXPECT_EQ((*voters)[2].id, NodeId(3));
  EXPECT_EQ((*voters)[2].host, "[::1]");
  EXPECT_EQ((*voters)[2].target(), "[::1]:9293");
}

TEST(ParseVotersTest, NamesWhatIsWrong) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "empty"},
      {" , ", "empty"},
      {"1-127.0.0.1:9096", "missing '@'"},
      {"0@h:1", "id must be > 0"},
      {"x@h:1", "id must be > 0"},
      {"1@h", "missing host:port"},
      {"1@:9093", "missing host:port"},
      {"1@h:0", "port must be 1..65535"},
      {"1@h:70000", "port must be 1..65535"},
      {"1@h:x", "port must be 1..65535"},
      {"1@h:1,1@g:2", "duplicate id"},
  };
  for (const auto& [spec, why] : cases) {
    absl::StatusOr<std::vector<Voter>> voters = ParseVoters(spec);
    ASSERT_FALSE(voters.ok()) << spec;
    EXPECT_EQ(voters.status().code(), absl::StatusCode::kInvalidArgument) << spec;
    EXPECT_THAT(voters.status().message(), HasSubstr(why)) << spec;
  }
  EXPECT_THAT(ParseVoters("1@h:1,2@h").status().message(), HasSubstr("'2@h'"))
      << "the message names the bad item";
}

}  // namespace
}  // namespace eddy::raft
