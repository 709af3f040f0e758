#include "services/gateway/api_support.h"

#include <algorithm>
#include <array>

namespace eddy::gateway {
namespace {

constexpr std::array<SupportedApi, 28> kApis = {{
    {0, 0, 11, 3},   // Produce
    {1, 4, 12, 4},   // Fetch
    {2, 1, 7, 1},    // ListOffsets
    {3, 0, 12, 0},   // Metadata
    {8, 2, 9, 2},    // OffsetCommit
    {9, 1, 9, 1},    // OffsetFetch
    {10, 0, 6, 0},   // FindCoordinator
    {11, 0, 9, 0},   // JoinGroup
    {12, 0, 4, 0},   // Heartbeat
    {13, 0, 5, 0},   // LeaveGroup
    {14, 0, 5, 0},   // SyncGroup
    {15, 0, 5, 0},   // DescribeGroups
    {16, 0, 5, 0},   // ListGroups
    {18, 0, 4, 0},   // ApiVersions
    {19, 2, 7, 2},   // CreateTopics
    {20, 1, 6, 1},   // DeleteTopics
    {21, 0, 2, 0},   // DeleteRecords
    {22, 0, 5, 0},   // InitProducerId
    {23, 2, 4, 2},   // OffsetForLeaderEpoch
    {32, 1, 4, 1},   // DescribeConfigs
    {33, 0, 2, 0},   // AlterConfigs
    {35, 1, 4, 1},   // DescribeLogDirs
    {37, 0, 3, 0},   // CreatePartitions
    {42, 0, 2, 0},   // DeleteGroups
    {43, 0, 2, 0},   // ElectLeaders
    {44, 0, 1, 0},   // IncrementalAlterConfigs
    {47, 0, 0, 0},   // OffsetDelete
    {60, 0, 1, 0},   // DescribeCluster
}};

}  // namespace

std::span<const SupportedApi> SupportedApis() { return kApis; }

const SupportedApi* FindSupportedApi(int16_t api_key) {
  for (const SupportedApi& api : SupportedApis()) {
    if (api.api_key == api_key) return &api;
  }
  return nullptr;
}

}  // namespace eddy::gateway
