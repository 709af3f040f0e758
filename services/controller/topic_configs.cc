#include "services/controller/topic_configs.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace eddy::controller {
namespace {

constexpr std::string_view kLongMax = "9223372036854775807";

std::vector<ConfigDef> MakeTopicDefs() {
  using T = ConfigType;
  // Sorted by name, as Kafka's DescribeConfigs lists them.
  return {
      {"cleanup.policy", T::kList, "delete", "log.cleanup.policy", {}, {}, {"compact", "delete"}},
      {"compression.lz4.level", T::kInt, "9", "compression.lz4.level", 1, 17, {}},
      {"compression.type",
       T::kString,
       "producer",
       "compression.type",
       {},
       {},
       {"uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"}},
      {"compression.zstd.level", T::kInt, "3", "compression.zstd.level", -131072, 22, {}},
      {"delete.retention.ms", T::kLong, "86400000", "log.cleaner.delete.retention.ms", 0, {}, {}},
      {"file.delete.delay.ms", T::kLong, "60000", "log.segment.delete.delay.ms", 0, {}, {}},
      {"flush.messages", T::kLong, kLongMax, "log.flush.interval.messages", 1, {}, {}},
      {"flush.ms", T::kLong, kLongMax, "log.flush.interval.ms", 0, {}, {}},
      {"follower.replication.throttled.replicas",
       T::kList,
       "",
       "follower.replication.throttled.replicas",
       {},
       {},
       {}},
      {"index.interval.bytes", T::kInt, "4096", "log.index.interval.bytes", 0, {}, {}},
      {"leader.replication.throttled.replicas",
       T::kList,
       "",
       "leader.replication.throttled.replicas",
       {},
       {},
       {}},
      {"local.retention.bytes", T::kLong, "-2", "log.local.retention.bytes", -2, {}, {}},
      {"local.retention.ms", T::kLong, "-2", "log.local.retention.ms", -2, {}, {}},
      {"max.compaction.lag.ms", T::kLong, kLongMax, "log.cleaner.max.compaction.lag.ms", 1, {}, {}},
      {"max.message.bytes", T::kInt, "1048588", "message.max.bytes", 0, {}, {}},
      {"message.downconversion.enable",
       T::kBoolean,
       "true",
       "log.message.downconversion.enable",
       {},
       {},
       {}},
      {"message.timestamp.after.max.ms",
       T::kLong,
       kLongMax,
       "log.message.timestamp.after.max.ms",
       0,
       {},
       {}},
      {"message.timestamp.before.max.ms",
       T::kLong,
       kLongMax,
       "log.message.timestamp.before.max.ms",
       0,
       {},
       {}},
      {"message.timestamp.difference.max.ms",
       T::kLong,
       kLongMax,
       "log.message.timestamp.difference.max.ms",
       0,
       {},
       {}},
      {"message.timestamp.type",
       T::kString,
       "CreateTime",
       "log.message.timestamp.type",
       {},
       {},
       {"CreateTime", "LogAppendTime"}},
      {"min.cleanable.dirty.ratio", T::kDouble, "0.5", "log.cleaner.min.cleanable.ratio", 0, 1, {}},
      {"min.compaction.lag.ms", T::kLong, "0", "log.cleaner.min.compaction.lag.ms", 0, {}, {}},
      {"min.insync.replicas", T::kInt, "1", "min.insync.replicas", 1, {}, {}},
      {"preallocate", T::kBoolean, "false", "log.preallocate", {}, {}, {}},
      {"remote.storage.enable", T::kBoolean, "false", "", {}, {}, {}},
      {"retention.bytes", T::kLong, "-1", "log.retention.bytes", {}, {}, {}},
      {"retention.ms", T::kLong, "604800000", "log.retention.ms", -1, {}, {}},
      // 14 bytes is Kafka's LegacyRecord.RECORD_OVERHEAD_V0, the smallest segment that holds a
      // record.
      {"segment.bytes", T::kInt, "1073741824", "log.segment.bytes", 14, {}, {}},
      {"segment.index.bytes", T::kInt, "10485760", "log.index.size.max.bytes", 4, {}, {}},
      {"segment.jitter.ms", T::kLong, "0", "log.roll.jitter.ms", 0, {}, {}},
      {"segment.ms", T::kLong, "604800000", "log.roll.ms", 1, {}, {}},
      {"unclean.leader.election.enable",
       T::kBoolean,
       "false",
       "unclean.leader.election.enable",
       {},
       {},
       {}},
  };
}

// The dynamic broker configs the controller accepts: the broker synonyms of the topic configs,
// with the same types and bounds, which set cluster-wide or per-broker defaults.
std::vector<ConfigDef> MakeBrokerDefs() {
  std::vector<ConfigDef> out;
  for (const ConfigDef& def : TopicConfigDefs()) {
    if (def.broker_synonym.empty()) continue;
    ConfigDef broker = def;
    broker.name = def.broker_synonym;
    broker.broker_synonym = "";
    out.push_back(broker);
  }
  std::sort(out.begin(), out.end(),
            [](const ConfigDef& a, const ConfigDef& b) { return a.name < b.name; });
  return out;
}

const ConfigDef* Find(std::span<const ConfigDef> defs, std::string_view name) {
  auto it =
      std::find_if(defs.begin(), defs.end(), [&](const ConfigDef& d) { return d.name == name; });
  return it == defs.end() ? nullptr : &*it;
}

std::string JoinViews(const std::vector<std::string_view>& views) {
  return absl::StrJoin(
      views, ", ", [](std::string* out, std::string_view v) { out->append(v.data(), v.size()); });
}

// FormatBound prints a bound as Java prints the Number a Kafka validator holds.
std::string FormatBound(double v) {
  if (std::floor(v) == v) return absl::StrCat(static_cast<int64_t>(v));
  return absl::StrCat(v);
}

std::optional<std::string> CheckRange(const ConfigDef& def, double v) {
  if (def.min && v < *def.min) {
    return absl::StrCat("Value must be at least ", FormatBound(*def.min));
  }
  if (def.max && v > *def.max) {
    return absl::StrCat("Value must be no more than ", FormatBound(*def.max));
  }
  return std::nullopt;
}

// Reason returns why `value` is invalid for `def` (Kafka's ConfigException detail), or nullopt.
std::optional<std::string> Reason(const ConfigDef& def, std::string_view raw) {
  const std::string value(absl::StripAsciiWhitespace(absl::string_view(raw.data(), raw.size())));
  switch (def.type) {
    case ConfigType::kBoolean: {
      const std::string lower = absl::AsciiStrToLower(value);
      if (lower != "true" && lower != "false") {
        return std::string("Expected value to be either true or false");
      }
      return std::nullopt;
    }
    case ConfigType::kInt: {
      int32_t v;
      if (!absl::SimpleAtoi(value, &v)) return std::string("Not a number of type INT");
      return CheckRange(def, v);
    }
    case ConfigType::kLong: {
      int64_t v;
      if (!absl::SimpleAtoi(value, &v)) return std::string("Not a number of type LONG");
      return CheckRange(def, static_cast<double>(v));
    }
    case ConfigType::kDouble: {
      double v;
      if (!absl::SimpleAtod(value, &v) || std::isnan(v)) {
        return std::string("Not a number of type DOUBLE");
      }
      return CheckRange(def, v);
    }
    case ConfigType::kString:
      if (!def.allowed.empty() &&
          std::find(def.allowed.begin(), def.allowed.end(), value) == def.allowed.end()) {
        return absl::StrCat("String must be one of: ", JoinViews(def.allowed));
      }
      return std::nullopt;
    case ConfigType::kList:
      if (def.allowed.empty()) return std::nullopt;
      for (const std::string& element : SplitList(value)) {
        if (std::find(def.allowed.begin(), def.allowed.end(), element) == def.allowed.end()) {
          std::vector<std::string_view> sorted = def.allowed;
          std::sort(sorted.begin(), sorted.end());
          return absl::StrCat("String must be one of: ", JoinViews(sorted));
        }
      }
      return std::nullopt;
  }
  return std::nullopt;
}

int64_t LongOr(const ConfigMap& configs, std::string_view name, int64_t fallback) {
  auto it = configs.find(name);
  int64_t v;
  if (it == configs.end() || !absl::SimpleAtoi(it->second, &v)) return fallback;
  return v;
}

}  // namespace

std::string_view ConfigTypeName(ConfigType type) {
  switch (type) {
    case ConfigType::kBoolean:
      return "BOOLEAN";
    case ConfigType::kInt:
      return "INT";
    case ConfigType::kLong:
      return "LONG";
    case ConfigType::kDouble:
      return "DOUBLE";
    case ConfigType::kString:
      return "STRING";
    case ConfigType::kList:
      return "LIST";
  }
  return "UNKNOWN";
}

std::span<const ConfigDef> TopicConfigDefs() {
  static const std::vector<ConfigDef> defs = MakeTopicDefs();
  return defs;
}

std::span<const ConfigDef> BrokerConfigDefs() {
  static const std::vector<ConfigDef> defs = MakeBrokerDefs();
  return defs;
}

const ConfigDef* FindTopicConfig(std::string_view name) { return Find(TopicConfigDefs(), name); }
const ConfigDef* FindBrokerConfig(std::string_view name) { return Find(BrokerConfigDefs(), name); }

std::optional<std::string> ValidateConfigValue(const ConfigDef& def, std::string_view value) {
  std::optional<std::string> reason = Reason(def, value);
  if (!reason) return std::nullopt;
  return absl::StrCat("Invalid value ", std::string(value), " for configuration ",
                      std::string(def.name), ": ", *reason);
}

std::optional<std::string> ValidateConfigs(eddy::v1::ConfigResourceType type,
                                           const ConfigMap& configs) {
  const bool topic = type == eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC;
  for (const auto& [name, value] : configs) {
    const ConfigDef* def = topic ? FindTopicConfig(name) : FindBrokerConfig(name);
    if (def == nullptr) {
      return absl::StrCat(topic ? "Unknown topic config name: " : "Unknown broker config name: ",
                          name);
    }
    if (std::optional<std::string> error = ValidateConfigValue(*def, value)) return error;
  }
  const std::string_view min_lag =
      topic ? "min.compaction.lag.ms" : "log.cleaner.min.compaction.lag.ms";
  const std::string_view max_lag =
      topic ? "max.compaction.lag.ms" : "log.cleaner.max.compaction.lag.ms";
  const int64_t min = LongOr(configs, min_lag, 0);
  const int64_t max = LongOr(configs, max_lag, INT64_MAX);
  if (min > max) {
    return absl::StrCat("conflict topic config setting ", std::string(min_lag), " (", min, ") > ",
                        std::string(max_lag), " (", max, ")");
  }
  return std::nullopt;
}

std::vector<std::string> SplitList(std::string_view value) {
  absl::string_view trimmed =
      absl::StripAsciiWhitespace(absl::string_view(value.data(), value.size()));
  std::vector<std::string> out;
  if (trimmed.empty()) return out;
  for (absl::string_view part : absl::StrSplit(trimmed, ',')) {
    out.emplace_back(absl::StripAsciiWhitespace(part));
  }
  return out;
}

std::string EffectiveTopicConfig(const MetadataImage& image, std::string_view topic,
                                 std::string_view name) {
  if (auto value =
          image.ConfigValue({eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC, std::string(topic)}, name)) {
    return *value;
  }
  const ConfigDef* def = FindTopicConfig(name);
  if (def == nullptr) return "";
  if (!def->broker_synonym.empty()) {
    if (auto value =
            image.ConfigValue({eddy::v1::CONFIG_RESOURCE_TYPE_CLUSTER, ""}, def->broker_synonym)) {
      return *value;
    }
  }
  return std::string(def->default_value);
}

int32_t MinInsyncReplicas(const MetadataImage& image, std::string_view topic) {
  int32_t v;
  if (!absl::SimpleAtoi(EffectiveTopicConfig(image, topic, "min.insync.replicas"), &v) || v < 1) {
    return 1;
  }
  return v;
}

bool UncleanLeaderElectionEnabled(const MetadataImage& image, std::string_view topic) {
  return absl::AsciiStrToLower(
             EffectiveTopicConfig(image, topic, "unclean.leader.election.enable")) == "true";
}

}  // namespace eddy::controller
