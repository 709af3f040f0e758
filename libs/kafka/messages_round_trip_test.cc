// Round trip of every generated message at every supported version, with all nullable fields set
// and with all of them null: encode → size check → decode → equality → re-encode identical, every
// strict prefix rejected, byte corruptions survived (see internal/round_trip.h).
#include <string>

#include "gtest/gtest.h"
#include "libs/kafka/api_table.h"
#include "libs/kafka/internal/round_trip.h"

namespace eddy::kafka::internal {
namespace {

class MessageRoundTripTest : public ::testing::TestWithParam<RoundTripCase> {};

TEST_P(MessageRoundTripTest, RoundTrips) {
  absl::Status s = GetParam().run();
  EXPECT_TRUE(s.ok()) << GetParam().name << ": " << s;
}

std::string CaseName(const ::testing::TestParamInfo<RoundTripCase>& info) {
  std::string name;
  for (char c : info.param.name) name += (std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(AllMessages, MessageRoundTripTest,
                         ::testing::ValuesIn(AllRoundTripCases()), CaseName);

TEST(MessageRoundTripCoverageTest, EveryApiVersionHasCases) {
  size_t expected = 0;
  for (const ApiInfo& api : AllApis()) {
    expected += 2 * 2 * static_cast<size_t>(api.max_version - api.min_version + 1);
  }
  EXPECT_EQ(AllRoundTripCases().size(), expected);
}

}  // namespace
}  // namespace eddy::kafka::internal
