// Three registry replicas as one Raft quorum (issue 9, acceptance 5 with three replicas, and the
// replication scope): writes on any replica (followers forward them to the leader), a client reads
// its own write on the replica it wrote to, ids agree across replicas; then kill -9 the leader in
// the middle of a registration storm: writes resume within 5 s, every acknowledged registration is
// on every surviving replica with its id, no id names two schemas, and the killed replica catches
// up after its restart.
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/integration/registry_test_client.h"
#include "tests/testing/local_cluster.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_for.h"

namespace eddy::testing {
namespace {

using Json = nlohmann::json;

constexpr int kReplicas = 3;
constexpr int kWriters = 6;

// IsLeader reads the replica's eddy_registry_leader gauge from its /metrics endpoint.
bool IsLeader(const LocalCluster& cluster, int index) {
  if (cluster.Pid(Role::kRegistry, index) < 0) return false;
  const std::string address = cluster.HttpAddress(Role::kRegistry, index);
  const size_t colon = address.rfind(':');
  int port = 0;
  if (!absl::SimpleAtoi(address.substr(colon + 1), &port)) return false;
  httplib::Client client(address.substr(0, colon), port);
  client.set_connection_timeout(1, 0);
  client.set_read_timeout(2, 0);
  httplib::Result result = client.Get("/metrics");
  if (!result || result->status != 200) return false;
  for (absl::string_view line : absl::StrSplit(result->body, '\n')) {
    if (line == "eddy_registry_leader 1") return true;
  }
  return false;
}

std::optional<int> FindLeader(const LocalCluster& cluster) {
  std::optional<int> leader;
  WaitFor(
      [&] {
        for (int i = 0; i < kReplicas; ++i) {
          if (IsLeader(cluster, i)) {
            leader = i;
            return true;
          }
        }
        return false;
      },
      absl::Seconds(20));
  return leader;
}

struct Acked {
  std::string subject;
  std::string schema;
  int id = 0;
  absl::Time sent;  // when the request went out
  absl::Time at;    // when the acknowledgement arrived
};

// Storm registers new schemas from kWriters threads, each starting on its own replica and moving
// to the next one whenever a request fails (a dead replica, no leader yet), until `stop`.
class Storm {
 public:
  explicit Storm(const LocalCluster& cluster) {
    for (int i = 0; i < kReplicas; ++i) ports_.push_back(cluster.RegistryRestPort(i));
  }

  void Run(std::atomic<bool>& stop) {
    std::vector<std::thread> threads;
    for (int w = 0; w < kWriters; ++w) {
      threads.emplace_back([this, w, &stop] {
        size_t replica = w % ports_.size();
        auto client = std::make_unique<RegistryClient>(ports_[replica]);
        for (int n = 0; !stop.load();) {
          Acked acked;
          acked.subject = "storm-" + std::to_string(w);
          acked.schema = AvroRecord("S" + std::to_string(w) + "_" + std::to_string(n), {"f"});
          acked.sent = absl::Now();
          RegistryResponse response = client->Post("/subjects/" + acked.subject + "/versions",
                                                   Json{{"schema", acked.schema}});
          if (response.status != 200) {
            // Not acknowledged (cut off, no leader, forwarding failed): retry elsewhere. The same
            // schema is retried, so a write that did commit is answered with its id.
            replica = (replica + 1) % ports_.size();
            client = std::make_unique<RegistryClient>(ports_[replica]);
            {
              std::lock_guard<std::mutex> lock(mu_);
              ++failures_;
            }
            // A client's retry backoff, so retries do not crowd out the election on 2 cores.
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            continue;
          }
          acked.id = response.json["id"];
          acked.at = absl::Now();
          ++n;
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
  size_t count() {
    std::lock_guard<std::mutex> lock(mu_);
    return acked_.size();
  }
  // count_sent_after counts acknowledged requests sent after `t`.
  size_t count_sent_after(absl::Time t) {
    std::lock_guard<std::mutex> lock(mu_);
    size_t n = 0;
    for (const Acked& a : acked_) n += a.sent > t ? 1 : 0;
    return n;
  }
  int failures() {
    std::lock_guard<std::mutex> lock(mu_);
    return failures_;
  }

 private:
  std::vector<int> ports_;
  std::mutex mu_;
  std::vector<Acked> acked_;
  int failures_ = 0;
};

// ExpectAllPresent checks every acknowledged registration on replica `index`, and that no id
// names two schemas.
void ExpectAllPresent(const LocalCluster& cluster, int index, const std::vector<Acked>& all) {
  RegistryClient client(cluster.RegistryRestPort(index));
  std::map<int, std::string> schema_of_id;
  for (const Acked& a : all) {
    auto [it, inserted] = schema_of_id.emplace(a.id, a.schema);
    ASSERT_TRUE(inserted || it->second == a.schema) << "id " << a.id << " issued twice";
    RegistryResponse found = client.Post("/subjects/" + a.subject, Json{{"schema", a.schema}});
    ASSERT_EQ(found.status, 200) << "replica " << index
                                 << " lacks an acknowledged registration: " << a.schema << " "
                                 << found.raw;
    EXPECT_EQ(found.json["id"], a.id) << a.schema;
  }
}

class RegistryReplicationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LocalClusterOptions options;
    options.bin_dir = EDDY_BIN_DIR;
    options.brokers = 0;
    options.coordinators = 0;
    options.gateways = 0;
    options.registries = kReplicas;
    options.keep_data_if = [] { return ::testing::Test::HasFailure(); };
    cluster_ = std::make_unique<LocalCluster>(options);
    EDDY_ASSERT_OK(cluster_->Start());
  }

  std::unique_ptr<LocalCluster> cluster_;
};

TEST_F(RegistryReplicationTest, FollowersForwardWritesAndReadTheirOwn) {
  std::optional<int> leader = FindLeader(*cluster_);
  ASSERT_TRUE(leader.has_value()) << "no registry leader elected";
  const int follower = (*leader + 1) % kReplicas;
  const int other = (*leader + 2) % kReplicas;

  RegistryClient on_follower(cluster_->RegistryRestPort(follower));
  const std::string schema = AvroRecord("Forwarded", {"a"});
  RegistryResponse registered =
      on_follower.Post("/subjects/fwd-value/versions", Json{{"schema", schema}});
  ASSERT_EQ(registered.status, 200) << registered.raw;
  const int id = registered.json["id"];
  // Read-your-writes: the replica that acknowledged the write answers with it at once.
  RegistryResponse latest = on_follower.Get("/subjects/fwd-value/versions/latest");
  ASSERT_EQ(latest.status, 200) << latest.raw;
  EXPECT_EQ(latest.json["id"], id);
  EXPECT_EQ(on_follower.Get("/schemas/ids/" + std::to_string(id)).json["schema"], schema);

  // The same schema under another subject, through the other follower: the same global id.
  RegistryClient on_other(cluster_->RegistryRestPort(other));
  RegistryResponse again = on_other.Post("/subjects/fwd-other/versions", Json{{"schema", schema}});
  ASSERT_EQ(again.status, 200) << again.raw;
  EXPECT_EQ(again.json["id"], id);
  // Config writes are forwarded too, and errors come back as the leader gave them.
  EXPECT_EQ(on_other.Put("/config/fwd-value", Json{{"compatibility", "FULL"}}).status, 200);
  EXPECT_EQ(on_other.Get("/config/fwd-value").json["compatibilityLevel"], "FULL");
  RegistryResponse refused = on_follower.Delete("/subjects/fwd-value/versions/1?permanent=true");
  EXPECT_EQ(refused.status, 404) << refused.raw;
  EXPECT_EQ(refused.error_code(), 40407);
  // Every replica ends up with the writes (reads are local).
  RegistryClient on_leader(cluster_->RegistryRestPort(*leader));
  EXPECT_TRUE(WaitFor(
      [&] {
        return on_leader.Get("/subjects").json == Json{"fwd-other", "fwd-value"};
      },
      absl::Seconds(10)));
}

TEST_F(RegistryReplicationTest, KillingTheLeaderMidStormLosesNothingAndWritesResumeWithin5s) {
  std::optional<int> leader = FindLeader(*cluster_);
  ASSERT_TRUE(leader.has_value()) << "no registry leader elected";
  {
    RegistryClient client(cluster_->RegistryRestPort(*leader));
    ASSERT_EQ(client.Put("/config", Json{{"compatibility", "NONE"}}).status, 200);
  }
  Storm storm(*cluster_);
  std::atomic<bool> stop{false};
  std::thread writers([&] { storm.Run(stop); });
  // Kill the leader once the storm is well under way.
  ASSERT_TRUE(WaitFor([&] { return storm.count() >= 60; }, absl::Seconds(30)))
      << "the storm registered too little: " << storm.count();
  const absl::Time killed = absl::Now();
  EDDY_ASSERT_OK(cluster_->Kill(Role::kRegistry, *leader));
  // Writes resume: requests sent after the kill are acknowledged again, the first within 5 s.
  const bool resumed =
      WaitFor([&] { return storm.count_sent_after(killed) >= 60; }, absl::Seconds(20));
  stop = true;
  writers.join();
  ASSERT_TRUE(resumed) << "writes did not resume after killing the leader";
  std::vector<Acked> all = storm.acked();
  absl::Time first_after = absl::InfiniteFuture();
  for (const Acked& a : all) {
    if (a.sent > killed) first_after = std::min(first_after, a.at);
  }
  const absl::Duration outage = first_after - killed;
  EXPECT_LE(outage, absl::Seconds(5)) << "writes resumed only after " << outage;
  std::cout << "registry quorum: " << all.size() << " acknowledged registrations, "
            << storm.failures() << " failed attempts retried, writes resumed "
            << absl::FormatDuration(outage) << " after kill -9 of the leader\n";

  for (int i = 0; i < kReplicas; ++i) {
    if (i == *leader) continue;
    ExpectAllPresent(*cluster_, i, all);
  }
  // The killed replica comes back and catches up from the new leader.
  EDDY_ASSERT_OK(cluster_->Restart(Role::kRegistry, *leader));
  RegistryClient restarted(cluster_->RegistryRestPort(*leader));
  const Acked& last = all.back();
  ASSERT_TRUE(WaitFor(
      [&] {
        return restarted.Post("/subjects/" + last.subject, Json{{"schema", last.schema}}).status ==
               200;
      },
      absl::Seconds(20)));
  ExpectAllPresent(*cluster_, *leader, all);
  // Ids continue above every acknowledged one.
  RegistryResponse fresh =
      restarted.Post("/subjects/after/versions", Json{{"schema", AvroRecord("After", {"f"})}});
  ASSERT_EQ(fresh.status, 200) << fresh.raw;
  for (const Acked& a : all) ASSERT_GT(fresh.json["id"].get<int>(), a.id);
}

TEST_F(RegistryReplicationTest, WithoutAQuorumWritesFailWithConfluentCodesAndReadsStillServe) {
  std::optional<int> leader = FindLeader(*cluster_);
  ASSERT_TRUE(leader.has_value()) << "no registry leader elected";
  const int survivor = (*leader + 1) % kReplicas;
  RegistryClient client(cluster_->RegistryRestPort(survivor));
  const std::string schema = AvroRecord("BeforeTheLoss", {"a"});
  RegistryResponse registered = client.Post("/subjects/kept/versions", Json{{"schema", schema}});
  ASSERT_EQ(registered.status, 200) << registered.raw;
  EDDY_ASSERT_OK(cluster_->Kill(Role::kRegistry, *leader));
  EDDY_ASSERT_OK(cluster_->Kill(Role::kRegistry, (*leader + 2) % kReplicas));
  // First the dead leader cannot be reached (50003), then no leader is known (50004); never a
  // hang, never an acknowledgement without a majority.
  std::set<int> seen;
  const bool unknown_leader = WaitFor(
      [&] {
        RegistryResponse write =
            client.Post("/subjects/lost/versions", Json{{"schema", AvroRecord("Lost", {"b"})}});
        EXPECT_EQ(write.status, 500) << write.raw;
        EXPECT_THAT(write.error_code(), ::testing::AnyOf(50002, 50003, 50004)) << write.raw;
        EXPECT_TRUE(write.json.contains("message")) << write.raw;
        seen.insert(write.error_code());
        return write.error_code() == 50004;
      },
      absl::Seconds(20));
  EXPECT_TRUE(unknown_leader) << "the survivor never reported an unknown leader; codes seen: "
                              << ::testing::PrintToString(seen);
  // Reads are local: the survivor still serves what it holds.
  RegistryResponse kept = client.Get("/subjects/kept/versions/latest");
  ASSERT_EQ(kept.status, 200) << kept.raw;
  EXPECT_EQ(kept.json["schema"], schema);
}

}  // namespace
}  // namespace eddy::testing
