#include "services/broker/topic_config.h"

#include <functional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace eddy::broker {
namespace {

// MillisOrInfinite maps Kafka's "-1 = forever" millisecond settings to a Duration.
absl::Duration MillisOrInfinite(int64_t ms) {
  return ms < 0 ? absl::InfiniteDuration() : absl::Milliseconds(ms);
}

}  // namespace

ParsedTopicConfig ParseTopicConfig(const std::map<std::string, std::string>& configs) {
  ParsedTopicConfig parsed;
  TopicConfig& c = parsed.config;
  auto integer = [&](const std::string& key, const std::function<void(int64_t)>& set) {
    auto it = configs.find(key);
    if (it == configs.end()) return;
    int64_t value = 0;
    if (!absl::SimpleAtoi(it->second, &value)) {
      parsed.errors.push_back(absl::StrCat(key, ": \"", it->second, "\" is not an integer"));
      return;
    }
    set(value);
  };
  integer("max.message.bytes", [&](int64_t v) { c.produce.max_message_bytes = v; });
  integer("min.insync.replicas",
          [&](int64_t v) { c.min_insync_replicas = static_cast<int32_t>(std::max<int64_t>(1, v)); });
  integer("segment.bytes", [&](int64_t v) {
    c.log.segment_bytes = static_cast<uint64_t>(v);
    c.produce.segment_bytes = v;
  });
  integer("segment.ms", [&](int64_t v) { c.log.segment_ms = absl::Milliseconds(v); });
  integer("segment.index.bytes", [&](int64_t v) { c.log.segment_index_bytes = static_cast<uint64_t>(v); });
  integer("index.interval.bytes", [&](int64_t v) { c.log.index_interval_bytes = static_cast<uint64_t>(v); });
  integer("flush.messages", [&](int64_t v) { c.log.flush_messages = v; });
  integer("flush.ms", [&](int64_t v) { c.log.flush_ms = MillisOrInfinite(v); });
  integer("retention.ms", [&](int64_t v) { c.log.retention_ms = MillisOrInfinite(v); });
  integer("retention.bytes", [&](int64_t v) { c.log.retention_bytes = v; });
  integer("delete.retention.ms", [&](int64_t v) { c.log.delete_retention_ms = absl::Milliseconds(v); });
  integer("min.compaction.lag.ms", [&](int64_t v) { c.log.min_compaction_lag_ms = absl::Milliseconds(v); });
  // message.timestamp.difference.max.ms is the pre-KIP-937 bound on both sides; the newer keys,
  // read after it, win where set.
  integer("message.timestamp.difference.max.ms", [&](int64_t v) {
    c.produce.timestamp_before_max = MillisOrInfinite(v);
    c.produce.timestamp_after_max = MillisOrInfinite(v);
  });
  integer("message.timestamp.before.max.ms",
          [&](int64_t v) { c.produce.timestamp_before_max = MillisOrInfinite(v); });
  integer("message.timestamp.after.max.ms",
          [&](int64_t v) { c.produce.timestamp_after_max = MillisOrInfinite(v); });
  if (auto it = configs.find("min.cleanable.dirty.ratio"); it != configs.end()) {
    double ratio = 0;
    if (absl::SimpleAtod(it->second, &ratio)) {
      c.log.min_cleanable_dirty_ratio = ratio;
    } else {
      parsed.errors.push_back(absl::StrCat("min.cleanable.dirty.ratio: \"", it->second, "\" is not a number"));
    }
  }
  if (auto it = configs.find("message.timestamp.type"); it != configs.end()) {
    if (it->second == "LogAppendTime") {
      c.log.log_append_time = true;
    } else if (it->second != "CreateTime") {
      parsed.errors.push_back(absl::StrCat("message.timestamp.type: unknown value \"", it->second, "\""));
    }
  }
  c.produce.log_append_time = c.log.log_append_time;
  if (auto it = configs.find("cleanup.policy"); it != configs.end()) {
    bool compact = false;
    bool del = false;
    for (absl::string_view part : absl::StrSplit(it->second, ',', absl::SkipWhitespace())) {
      part = absl::StripAsciiWhitespace(part);
      if (part == "compact") {
        compact = true;
      } else if (part == "delete") {
        del = true;
      } else {
        parsed.errors.push_back(absl::StrCat("cleanup.policy: unknown value \"", part, "\""));
      }
    }
    if (compact || del) {
      c.log.cleanup_compact = compact;
      c.log.cleanup_delete = del;
    }
  }
  c.produce.compacted = c.log.cleanup_compact;
  if (absl::Status status = c.log.Validate(); !status.ok()) {
    parsed.errors.push_back(std::string(status.message()));
    const ProduceValidationConfig produce = c.produce;
    c = TopicConfig{};
    c.produce.max_message_bytes = produce.max_message_bytes;
  }
  return parsed;
}

}  // namespace eddy::broker
