#include "services/controller/coordinator_shards.h"

#include <algorithm>
#include <map>
#include <set>

#include "services/controller/metadata_records.h"

namespace eddy::controller {

ControllerResult<std::vector<ShardMove>> AssignCoordinatorShards(
    const MetadataImage& image, eddy::v1::CoordinatorType type, int32_t num_shards,
    const std::vector<NodeId>& live_coordinators) {
  const std::set<NodeId> live(live_coordinators.begin(), live_coordinators.end());
  std::vector<NodeId> before(num_shards, NodeId(-1));
  for (int32_t shard = 0; shard < num_shards; ++shard) {
    auto it = image.coordinator_shards().find(CoordinatorShardKey{type, shard});
    if (it != image.coordinator_shards().end()) before[shard] = it->second.owner;
  }
  std::vector<NodeId> after = before;
  // shards_of[node]: the shards a live node owns, in order, so moves pick the highest one.
  std::map<NodeId, std::set<int32_t>> shards_of;
  for (NodeId node : live) shards_of[node];
  std::vector<int32_t> orphans;
  for (int32_t shard = 0; shard < num_shards; ++shard) {
    if (live.contains(after[shard])) {
      shards_of[after[shard]].insert(shard);
    } else {
      orphans.push_back(shard);
      after[shard] = NodeId(-1);
    }
  }
  auto least_loaded = [&] {
    return std::min_element(shards_of.begin(), shards_of.end(), [](const auto& a, const auto& b) {
      return a.second.size() < b.second.size();
    });
  };
  auto most_loaded = [&] {
    return std::max_element(shards_of.begin(), shards_of.end(), [](const auto& a, const auto& b) {
      return a.second.size() < b.second.size();
    });
  };
  if (!shards_of.empty()) {
    for (int32_t shard : orphans) {
      auto target = least_loaded();
      target->second.insert(shard);
      after[shard] = target->first;
    }
    while (true) {
      auto from = most_loaded();
      auto to = least_loaded();
      if (from->second.size() <= to->second.size() + 1) break;
      const int32_t shard = *from->second.rbegin();
      from->second.erase(shard);
      to->second.insert(shard);
      after[shard] = to->first;
    }
  }

  ControllerResult<std::vector<ShardMove>> result;
  for (int32_t shard = 0; shard < num_shards; ++shard) {
    if (after[shard] == before[shard]) continue;
    result.response.push_back(ShardMove{shard, before[shard], after[shard]});
    eddy::v1::CoordinatorShardRecord record;
    record.set_coordinator_type(type);
    record.set_shard(shard);
    record.set_owner(after[shard].value());
    result.records.push_back(Wrap(std::move(record)));
  }
  return result;
}

}  // namespace eddy::controller
