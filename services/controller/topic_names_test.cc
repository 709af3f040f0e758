#include "services/controller/topic_names.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eddy::controller {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;

TEST(TopicNamesTest, AcceptsKafkaLegalNames) {
  for (const std::string& name :
       std::vector<std::string>{"a", "orders", "Orders.v1", "a_b-c.d", "__consumer_offsets", "...",
                                std::string(249, 'x'), "0123456789"}) {
    EXPECT_EQ(TopicNameError(name), std::nullopt) << name;
  }
}

TEST(TopicNamesTest, RejectsIllegalNamesWithKafkasMessages) {
  EXPECT_THAT(TopicNameError(""),
              Optional(std::string("Topic name is illegal, it can't be empty")));
  EXPECT_THAT(TopicNameError("."), Optional(std::string("Topic name cannot be \".\" or \"..\"")));
  EXPECT_THAT(TopicNameError(".."), Optional(std::string("Topic name cannot be \".\" or \"..\"")));
  EXPECT_THAT(TopicNameError(std::string(250, 'x')),
              Optional(HasSubstr("can't be longer than 249 characters")));
  for (const std::string& name :
       std::vector<std::string>{"a b", "a/b", "topic!", "t\xc3\xa9", "a:b", "a\nb", "a*"}) {
    EXPECT_THAT(TopicNameError(name),
                Optional(HasSubstr("contains a character other than ASCII alphanumerics")))
        << name;
  }
}

TEST(TopicNamesTest, DotAndUnderscoreCollide) {
  EXPECT_TRUE(HasCollisionChars("a.b"));
  EXPECT_TRUE(HasCollisionChars("a_b"));
  EXPECT_FALSE(HasCollisionChars("a-b"));
  EXPECT_EQ(UnifyCollisionChars("a.b_c"), "a_b_c");
  EXPECT_EQ(UnifyCollisionChars("a.b"), UnifyCollisionChars("a_b"));
  EXPECT_NE(UnifyCollisionChars("a.b"), UnifyCollisionChars("a-b"));
}

}  // namespace
}  // namespace eddy::controller
