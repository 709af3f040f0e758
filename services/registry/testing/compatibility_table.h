// Test helper: runs one row of a compatibility table (an old and a new schema with the expected
// BACKWARD and FORWARD verdicts) under all seven compatibility levels, and checks that each failing
// direction reports the expected Confluent error type in its verbose messages.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/registry/schema.h"

namespace eddy::registry::testing {

struct CompatibilityCase {
  std::string name;
  std::string old_schema;
  std::string new_schema;
  bool backward = true;        // the new schema reads data written with the old one
  bool forward = true;         // the old schema reads data written with the new one
  std::string backward_error;  // error type reported when !backward
  std::string forward_error;   // error type reported when !forward
};

inline bool HasErrorType(const std::vector<std::string>& messages, const std::string& type) {
  for (const std::string& m : messages) {
    if (m.find("errorType:'" + type + "'") != std::string::npos ||
        m.find("errorType:\"" + type + "\"") != std::string::npos) {
      return true;
    }
  }
  return false;
}

inline void ExpectVerdicts(SchemaType type, const CompatibilityCase& c) {
  SCOPED_TRACE(c.name);
  auto old_schema = ParseSchema(type, c.old_schema, {});
  ASSERT_TRUE(old_schema.ok()) << old_schema.status();
  auto new_schema = ParseSchema(type, c.new_schema, {});
  ASSERT_TRUE(new_schema.ok()) << new_schema.status();
  const std::vector<PreviousSchema> previous = {{old_schema->get(), 1}};
  struct Level {
    CompatibilityLevel level;
    bool needs_backward;
    bool needs_forward;
  };
  const Level levels[] = {
      {CompatibilityLevel::kNone, false, false},
      {CompatibilityLevel::kBackward, true, false},
      {CompatibilityLevel::kBackwardTransitive, true, false},
      {CompatibilityLevel::kForward, false, true},
      {CompatibilityLevel::kForwardTransitive, false, true},
      {CompatibilityLevel::kFull, true, true},
      {CompatibilityLevel::kFullTransitive, true, true},
  };
  for (const Level& l : levels) {
    SCOPED_TRACE(std::string(CompatibilityLevelName(l.level)));
    const std::vector<std::string> messages = CheckCompatibility(l.level, **new_schema, previous);
    const bool backward_fails = l.needs_backward && !c.backward;
    const bool forward_fails = l.needs_forward && !c.forward;
    EXPECT_EQ(messages.empty(), !backward_fails && !forward_fails)
        << ::testing::PrintToString(messages);
    if (backward_fails) {
      EXPECT_TRUE(HasErrorType(messages, c.backward_error)) << ::testing::PrintToString(messages);
    }
    if (forward_fails) {
      EXPECT_TRUE(HasErrorType(messages, c.forward_error)) << ::testing::PrintToString(messages);
    }
    if (!messages.empty()) {
      EXPECT_EQ(messages.back(), absl::StrCat("{compatibility: '",
                                              std::string(CompatibilityLevelName(l.level)), "'}"));
      EXPECT_THAT(messages, ::testing::Contains("{oldSchemaVersion: 1}"));
    }
  }
}

}  // namespace eddy::registry::testing
