// Kafka's topic name rule (Topic.validate): 1..249 characters of [a-zA-Z0-9._-], not "." or "..".
#pragma once

#include <string_view>

namespace eddy::gateway {

bool IsValidTopicName(std::string_view name);

}  // namespace eddy::gateway
