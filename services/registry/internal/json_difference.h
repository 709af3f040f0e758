// Confluent's JSON Schema difference types
// (io.confluent.kafka.schemaregistry.json.diff.Difference): which are compatible, and the verbose
// message each renders as.
#pragma once

#include <string>

namespace eddy::registry::json::internal {

// IsCompatibleJsonChange says whether a difference of this type keeps the update compatible.
bool IsCompatibleJsonChange(const std::string& type);

// DescribeJsonDifference renders a difference as Confluent's Difference.toString():
// {errorType:"TYPE", description:"..."}. `path` is relative to the root ("properties/a"); the
// description calls the update `update_label` and the original `original_label`.
std::string DescribeJsonDifference(const std::string& type, const std::string& path,
                                   const std::string& update_label,
                                   const std::string& original_label);

}  // namespace eddy::registry::json::internal
