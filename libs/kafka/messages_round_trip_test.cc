// Round trip of every generated message at every supported version, with all nullable fields set
// and with all of them null: encode → size check → decode → equality → re-encode identical, every
// strict prefix rejected, byte corruptions survived (see internal/round_trip.h).
#include <set>
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
  std::set<std::string> names;
  for (const RoundTripCase& c : AllRoundTripCases()) names.insert(c.name);
  for (const ApiInfo& api : AllApis()) {
    for (int v = api.min_version; v <= api.max_version; ++v) {
      for (const char* kind : {"Request", "Response"}) {
        const std::string name = std::string(api.name) + kind + " v" + std::to_string(v);
        EXPECT_TRUE(names.count(name) && names.count(name + " nulls")) << name;
      }
    }
  }
  EXPECT_TRUE(names.count("ConsumerProtocolSubscription v3"));
  EXPECT_TRUE(names.count("ConsumerProtocolAssignment v0 nulls"));
}

}  // namespace
}  // namespace eddy::kafka::internal
