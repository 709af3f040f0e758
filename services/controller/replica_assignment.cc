#include "services/controller/replica_assignment.h"

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace eddy::controller {
namespace {

// ReplicaIndex is Kafka's AdminUtils.replicaIndex: the broker index of the (j+2)-th replica.
int32_t ReplicaIndex(int32_t first_replica_index, int32_t second_replica_shift, int32_t j,
                     int32_t num_brokers) {
  int32_t shift = 1 + (second_replica_shift + j) % (num_brokers - 1);
  return (first_replica_index + shift) % num_brokers;
}

}  // namespace

std::vector<BrokerPlacement> RackAlternatedBrokers(std::vector<BrokerPlacement> brokers) {
  std::map<std::string, std::vector<BrokerId>> by_rack;
  for (const BrokerPlacement& b : brokers) by_rack[b.rack].push_back(b.id);
  for (auto& [rack, ids] : by_rack) std::sort(ids.begin(), ids.end());
  std::vector<BrokerPlacement> out;
  out.reserve(brokers.size());
  for (size_t round = 0; out.size() < brokers.size(); ++round) {
    for (const auto& [rack, ids] : by_rack) {
      if (round < ids.size()) out.push_back(BrokerPlacement{ids[round], rack});
    }
  }
  return out;
}

absl::StatusOr<std::vector<std::vector<BrokerId>>> AssignReplicas(
    std::vector<BrokerPlacement> brokers, int32_t num_partitions, int32_t replication_factor,
    const AssignmentOptions& options) {
  if (num_partitions <= 0) {
    return absl::InvalidArgumentError("Number of partitions must be larger than 0.");
  }
  if (replication_factor <= 0) {
    return absl::InvalidArgumentError("Replication factor must be larger than 0.");
  }
  const auto num_brokers = static_cast<int32_t>(brokers.size());
  if (replication_factor > num_brokers) {
    return absl::InvalidArgumentError(absl::StrCat("Replication factor: ", replication_factor,
                                                   " larger than available brokers: ", num_brokers,
                                                   "."));
  }
  const bool rack_aware = std::all_of(brokers.begin(), brokers.end(),
                                      [](const BrokerPlacement& b) { return !b.rack.empty(); });
  if (rack_aware) {
    brokers = RackAlternatedBrokers(std::move(brokers));
  } else {
    std::sort(brokers.begin(), brokers.end(),
              [](const BrokerPlacement& a, const BrokerPlacement& b) { return a.id < b.id; });
  }
  std::set<std::string> racks;
  for (const BrokerPlacement& b : brokers) racks.insert(b.rack);
  const auto num_racks = static_cast<int32_t>(racks.size());

  std::mt19937_64 rng(options.seed);
  const int32_t start_index = options.fixed_start_index.value_or(
      static_cast<int32_t>(rng() % static_cast<uint64_t>(num_brokers)));
  int32_t shift = options.fixed_start_index.value_or(
      static_cast<int32_t>(rng() % static_cast<uint64_t>(num_brokers)));

  std::vector<std::vector<BrokerId>> out;
  out.reserve(num_partitions);
  int32_t partition = std::max(0, options.start_partition);
  for (int32_t i = 0; i < num_partitions; ++i, ++partition) {
    if (partition > 0 && partition % num_brokers == 0) ++shift;
    const int32_t first = (partition + start_index) % num_brokers;
    std::vector<BrokerId> replicas = {brokers[first].id};
    if (!rack_aware) {
      for (int32_t j = 0; j < replication_factor - 1; ++j) {
        replicas.push_back(brokers[ReplicaIndex(first, shift, j, num_brokers)].id);
      }
      out.push_back(std::move(replicas));
      continue;
    }
    std::set<std::string> racks_used = {brokers[first].rack};
    std::set<BrokerId> brokers_used = {brokers[first].id};
    int32_t k = 0;
    for (int32_t j = 0; j < replication_factor - 1; ++j) {
      while (true) {
        const BrokerPlacement& b =
            brokers[ReplicaIndex(first, shift * num_racks, k++, num_brokers)];
        // Skip a rack that already has a replica while another rack has none, and a broker that
        // already has one while another broker has none.
        const bool rack_ok =
            !racks_used.contains(b.rack) || static_cast<int32_t>(racks_used.size()) == num_racks;
        const bool broker_ok = !brokers_used.contains(b.id) ||
                               static_cast<int32_t>(brokers_used.size()) == num_brokers;
        if (rack_ok && broker_ok) {
          replicas.push_back(b.id);
          racks_used.insert(b.rack);
          brokers_used.insert(b.id);
          break;
        }
      }
    }
    out.push_back(std::move(replicas));
  }
  return out;
}

}  // namespace eddy::controller
