#include "libs/metrics/internal/text_format.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "gtest/gtest.h"

namespace eddy::metrics::internal {
namespace {

TEST(MetricNameTest, AcceptsPrometheusNames) {
  EXPECT_TRUE(IsValidMetricName("eddy_broker_produce_requests_total"));
  EXPECT_TRUE(IsValidMetricName("_x"));
  EXPECT_TRUE(IsValidMetricName(":recording:rule"));
  EXPECT_TRUE(IsValidMetricName("a1:b2"));
}

TEST(MetricNameTest, RejectsInvalidNames) {
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_FALSE(IsValidMetricName("1abc"));
  EXPECT_FALSE(IsValidMetricName("a-b"));
  EXPECT_FALSE(IsValidMetricName("a b"));
  EXPECT_FALSE(IsValidMetricName("é"));
}

TEST(LabelNameTest, AcceptsAndRejects) {
  EXPECT_TRUE(IsValidLabelName("topic"));
  EXPECT_TRUE(IsValidLabelName("_partition2"));
  EXPECT_FALSE(IsValidLabelName(""));
  EXPECT_FALSE(IsValidLabelName("__name__"));
  EXPECT_FALSE(IsValidLabelName("__reserved"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_FALSE(IsValidLabelName("9a"));
}

TEST(EscapeTest, HelpEscapesBackslashAndNewlineOnly) {
  std::string out;
  AppendEscapedHelp(out, "a\\b\nc\"d");
  EXPECT_EQ(out, "a\\\\b\\nc\"d");
}

TEST(EscapeTest, LabelValueEscapesBackslashQuoteNewline) {
  std::string out;
  AppendEscapedLabelValue(out, "a\\b\nc\"d");
  EXPECT_EQ(out, "a\\\\b\\nc\\\"d");
}

TEST(FormatDoubleTest, SpecialValues) {
  EXPECT_EQ(FormatDouble(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatDouble(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatDouble(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(FormatDouble(0.0), "0");
  EXPECT_EQ(FormatDouble(-0.0), "0");
}

TEST(FormatDoubleTest, IntegersHaveNoExponent) {
  EXPECT_EQ(FormatDouble(1), "1");
  EXPECT_EQ(FormatDouble(-42), "-42");
  EXPECT_EQ(FormatDouble(1e6), "1000000");
  EXPECT_EQ(FormatDouble(123456789012.0), "123456789012");
  EXPECT_EQ(FormatDouble(9007199254740993.0), "9007199254740992");
  EXPECT_EQ(FormatDouble(1e20), "100000000000000000000");
}

TEST(FormatDoubleTest, FractionsAreShortest) {
  EXPECT_EQ(FormatDouble(0.1), "0.1");
  EXPECT_EQ(FormatDouble(0.25), "0.25");
  EXPECT_EQ(FormatDouble(0.0001), "0.0001");
  EXPECT_EQ(FormatDouble(0.00025), "0.00025");
  EXPECT_EQ(FormatDouble(2.5), "2.5");
  EXPECT_EQ(FormatDouble(0.1 + 0.2), "0.30000000000000004");
}

TEST(FormatDoubleTest, ExtremesUseGoStyleExponent) {
  EXPECT_EQ(FormatDouble(0.00001), "1e-05");
  EXPECT_EQ(FormatDouble(1e21), "1e+21");
  EXPECT_EQ(FormatDouble(1.5e300), "1.5e+300");
  EXPECT_EQ(FormatDouble(-2.5e-10), "-2.5e-10");
}

TEST(FormatDoubleTest, RoundTrips) {
  for (double v : {0.1, 1.0 / 3, 6.02214076e23, 1e-300, 4.9e-324, 1.7976931348623157e308, 123.456,
                   0.000123456789, 12345678.9}) {
    EXPECT_EQ(std::strtod(FormatDouble(v).c_str(), nullptr), v) << FormatDouble(v);
  }
}

}  // namespace
}  // namespace eddy::metrics::internal
