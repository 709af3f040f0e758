// Acceptance 5 (single replica): kill -9 the registry during a registration storm. Every
// registration the registry acknowledged must be there after the restart, with the same id, and no
// id may ever name two different schemas, before or after the crash.
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/registry_test_client.h"
#include "tests/testing/local_cluster.h"
#include "tests/testing/status_matchers.h"

namespace eddy::testing {
namespace {

using Json = nlohmann::json;

constexpr int kWriters = 4;

struct Acked {
  std::string subject;
  std::string schema;
  int id = 0;
};

// Storm registers new schemas from kWriters threads until `stop`, recording each acknowledgement.
class Storm {
 public:
  Storm(int port, int round) : port_(port), round_(round) {}

  void Run(std::atomic<bool>& stop) {
    std::vector<std::thread> threads;
    for (int w = 0; w < kWriters; ++w) {
      threads.emplace_back([this, w, &stop] {
        RegistryClient client(port_);
        for (int n = 0; !stop.load(); ++n) {
          Acked acked;
          acked.subject = "storm-" + std::to_string(w);
          // A distinct record per (round, writer, n); NONE compatibility is set per subject.
          acked.schema = AvroRecord("R" + std::to_string(round_) + "_" + std::to_string(w) + "_" +
                                        std::to_string(n),
                                    {"f"});
          RegistryResponse response = client.Post("/subjects/" + acked.subject + "/versions",
                                                  Json{{"schema", acked.schema}});
          if (response.status != 200) continue;  // the crash cut it off: not acknowledged
          acked.id = response.json["id"];
          std::lock_guard<std::mutex> lock(mu_);
          acked_.push_back(std::move(acked));
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
  }

  std::vector<Acked> acked() {
    std::lock_guard<std::mutex> lock(mu_);
    return acked_;
  }

 private:
  const int port_;
  const int round_;
  std::mutex mu_;
  std::vector<Acked> acked_;
};

TEST(RegistryCrashTest, AcknowledgedRegistrationsSurviveKill9AndIdsAreNeverReissued) {
  LocalClusterOptions options;
  options.bin_dir = EDDY_BIN_DIR;
  options.brokers = 0;
  options.coordinators = 0;
  options.gateways = 0;
  options.keep_data_if = [] { return ::testing::Test::HasFailure(); };
  LocalCluster cluster(options);
  EDDY_ASSERT_OK(cluster.Start());
  const int port = cluster.RegistryRestPort();
  {
    RegistryClient client(port);
    ASSERT_EQ(client.Put("/config", Json{{"compatibility", "NONE"}}).status, 200);
  }

  std::vector<Acked> all;
  for (int round = 0; round < 2; ++round) {
    Storm storm(port, round);
    std::atomic<bool> stop{false};
    std::thread writers([&] { storm.Run(stop); });
    // Let the storm run, then kill the registry in the middle of it.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    EDDY_ASSERT_OK(cluster.Kill(Role::kRegistry));
    stop = true;
    writers.join();
    std::vector<Acked> acked = storm.acked();
    ASSERT_GT(acked.size(), 10u) << "the storm registered too little to mean anything";
    all.insert(all.end(), acked.begin(), acked.end());
    EDDY_ASSERT_OK(cluster.Restart(Role::kRegistry));

    RegistryClient client(port);
    std::map<int, std::string> schema_of_id;
    for (const Acked& a : all) {
      auto [it, inserted] = schema_of_id.emplace(a.id, a.schema);
      ASSERT_TRUE(inserted || it->second == a.schema) << "id " << a.id << " issued twice";
      RegistryResponse found = client.Post("/subjects/" + a.subject, Json{{"schema", a.schema}});
      ASSERT_EQ(found.status, 200) << "acknowledged registration lost: " << a.schema << " "
                                   << found.raw;
      EXPECT_EQ(found.json["id"], a.id);
      EXPECT_EQ(client.Get("/schemas/ids/" + std::to_string(a.id)).json["schema"], a.schema);
    }
  }
  // A schema registered after the restarts gets an id above every acknowledged one.
  RegistryClient client(port);
  RegistryResponse fresh = client.Post("/subjects/after/versions",
                                       Json{{"schema", AvroRecord("After", {"f"})}});
  ASSERT_EQ(fresh.status, 200) << fresh.raw;
  for (const Acked& a : all) ASSERT_GT(fresh.json["id"].get<int>(), a.id);
}

}  // namespace
}  // namespace eddy::testing
