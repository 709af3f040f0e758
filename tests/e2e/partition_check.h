// CheckPartitions verifies lines "partition <client> <key> <partition>" printed by the client
// scripts against libs/kafka's murmur2 partitioner (acceptance 2's partition equality).
#pragma once

#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "libs/kafka/partitioner.h"

namespace eddy::testing {

// Returns how many lines of `client` were checked.
inline int CheckPartitions(const std::string& output, const std::string& client,
                           int32_t partitions) {
  std::istringstream lines(output);
  std::string line;
  int checked = 0;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string tag, who, key;
    int32_t partition = -1;
    if (!(words >> tag >> who >> key >> partition) || tag != "partition" || who != client) continue;
    EXPECT_EQ(partition, kafka::PartitionForKey(key, partitions)) << client << " key " << key;
    ++checked;
  }
  return checked;
}

}  // namespace eddy::testing
