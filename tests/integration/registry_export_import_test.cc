// `eddyctl registry export|import` (issue 9, scope: backup and migration): export one cluster's
// registry over gRPC to a JSON file and import it into another cluster's registry in IMPORT mode;
// the target then answers every REST read as the source does (ids, versions, soft-deleted
// versions, references, shared ids, compatibility settings) and issues new ids above the imported
// ones. Importing into a registry that holds schemas is refused without --force.
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/eddy/v1/registry.grpc.pb.h"
#include "tests/integration/registry_test_client.h"
#include "tests/testing/local_cluster.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace eddy::testing {
namespace {

using Json = nlohmann::json;

std::unique_ptr<LocalCluster> StartRegistryCluster() {
  LocalClusterOptions options;
  options.bin_dir = EDDY_BIN_DIR;
  options.brokers = 0;
  options.coordinators = 0;
  options.gateways = 0;
  options.keep_data_if = [] { return ::testing::Test::HasFailure(); };
  auto cluster = std::make_unique<LocalCluster>(options);
  absl::Status started = cluster->Start();
  EXPECT_TRUE(started.ok()) << started;
  return started.ok() ? std::move(cluster) : nullptr;
}

absl::StatusOr<ProcessResult> Eddyctl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {std::string(EDDY_BIN_DIR) + "/eddyctl"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, {}, absl::Seconds(30));
}

// Contents is everything a REST client can read about subjects, versions and settings.
Json Contents(RegistryClient& client) {
  Json out = Json::object();
  const Json subjects = client.Get("/subjects?deleted=true").json;
  for (const Json& subject : subjects) {
    const std::string name = subject.get<std::string>();
    const Json versions = client.Get("/subjects/" + name + "/versions?deleted=true").json;
    for (const Json& version : versions) {
      const std::string number = std::to_string(version.get<int>());
      out[name][number] =
          client.Get("/subjects/" + name + "/versions/" + number + "?deleted=true").json;
    }
    out[name]["live"] = client.Get("/subjects/" + name + "/versions").json;
    out[name]["config"] = client.Get("/config/" + name).json;
  }
  out["config"] = client.Get("/config").json;
  out["mode"] = client.Get("/mode").json;
  return out;
}

TEST(RegistryExportImportTest, ImportKeepsIdsVersionsDeletionsAndSettings) {
  std::unique_ptr<LocalCluster> source = StartRegistryCluster();
  ASSERT_NE(source, nullptr);
  RegistryClient src(source->RegistryRestPort());
  ASSERT_EQ(src.Put("/config", Json{{"compatibility", "FORWARD"}}).status, 200);
  ASSERT_EQ(src.Put("/config/a-value", Json{{"compatibility", "NONE"}}).status, 200);
  const std::string alpha = AvroRecord("Alpha", {"x"});
  ASSERT_EQ(src.Post("/subjects/a-value/versions", Json{{"schema", alpha}}).status, 200);
  ASSERT_EQ(
      src.Post("/subjects/a-value/versions", Json{{"schema", AvroRecord("Alpha", {"x", "y"})}})
          .status,
      200);
  RegistryResponse json_schema =
      src.Post("/subjects/b-value/versions",
               Json{{"schemaType", "JSON"},
                    {"schema", R"({"type":"object","properties":{"n":{"type":"integer"}}})"}});
  ASSERT_EQ(json_schema.status, 200) << json_schema.raw;
  RegistryResponse referencing = src.Post(
      "/subjects/c-value/versions",
      Json{{"schema",
            R"({"type":"record","name":"Carrier","fields":[{"name":"a","type":"Alpha"}]})"},
           {"references",
            Json::array({{{"name", "Alpha"}, {"subject", "a-value"}, {"version", 1}}})}});
  ASSERT_EQ(referencing.status, 200) << referencing.raw;
  // The same schema under another subject shares its id.
  ASSERT_EQ(src.Post("/subjects/d-value/versions", Json{{"schema", alpha}}).json["id"], 1);
  ASSERT_EQ(src.Delete("/subjects/a-value/versions/2").status, 200);
  const Json before = Contents(src);

  const std::string file =
      (std::filesystem::path(source->data_dir()) / "registry-export.json").string();
  absl::StatusOr<ProcessResult> exported =
      Eddyctl({"registry", "export", "--registry=" + source->GrpcAddress(Role::kRegistry),
               "--file=" + file});
  ASSERT_TRUE(exported.ok()) << exported.status();
  ASSERT_EQ(exported->exit_code, 0) << exported->err;
  EXPECT_THAT(exported->out, ::testing::HasSubstr("exported 5 schema versions"));

  std::unique_ptr<LocalCluster> target = StartRegistryCluster();
  ASSERT_NE(target, nullptr);
  const std::string to = "--registry=" + target->GrpcAddress(Role::kRegistry);
  absl::StatusOr<ProcessResult> imported = Eddyctl({"registry", "import", to, "--file=" + file});
  ASSERT_TRUE(imported.ok()) << imported.status();
  ASSERT_EQ(imported->exit_code, 0) << std::string(imported->err) << std::string(imported->out);
  EXPECT_THAT(imported->out, ::testing::HasSubstr("imported 5 schema versions (1 soft-deleted)"));

  RegistryClient dst(target->RegistryRestPort());
  const Json after = Contents(dst);
  EXPECT_EQ(after, before) << "source:\n" << before.dump(1) << "\ntarget:\n" << after.dump(1);
  for (int id = 1; id <= 3; ++id) {
    EXPECT_EQ(dst.Get("/schemas/ids/" + std::to_string(id)).json,
              src.Get("/schemas/ids/" + std::to_string(id)).json)
        << "id " << id;
  }
  // The gRPC API reads the same content.
  auto stub = eddy::v1::Registry::NewStub(grpc::CreateChannel(target->GrpcAddress(Role::kRegistry),
                                                              grpc::InsecureChannelCredentials()));
  {
    grpc::ClientContext context;
    eddy::v1::GetSchemaByIdRequest request;
    request.set_id(4);
    eddy::v1::GetSchemaByIdResponse response;
    ASSERT_TRUE(stub->GetSchemaById(&context, request, &response).ok());
    EXPECT_EQ(response.schema().schema(), before["c-value"]["1"]["schema"]);
    ASSERT_EQ(response.schema().references_size(), 1);
    EXPECT_EQ(response.schema().references(0).subject(), "a-value");
  }
  {
    grpc::ClientContext context;
    eddy::v1::GetSchemaByIdRequest request;
    request.set_id(99);
    eddy::v1::GetSchemaByIdResponse response;
    const grpc::Status status = stub->GetSchemaById(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_THAT(status.error_message(), ::testing::HasSubstr("40403"));
  }
  {
    grpc::ClientContext context;
    eddy::v1::ListSubjectsRequest request;
    request.set_prefix("a-");
    eddy::v1::ListSubjectsResponse response;
    ASSERT_TRUE(stub->ListSubjects(&context, request, &response).ok());
    EXPECT_THAT(response.subjects(), ::testing::ElementsAre("a-value"));
  }
  {
    grpc::ClientContext context;
    eddy::v1::ListVersionsRequest request;
    request.set_subject("a-value");
    request.set_include_deleted(true);
    eddy::v1::ListVersionsResponse response;
    ASSERT_TRUE(stub->ListVersions(&context, request, &response).ok());
    EXPECT_THAT(response.versions(), ::testing::ElementsAre(1, 2));
  }
  {
    grpc::ClientContext context;
    eddy::v1::GetVersionRequest request;
    request.set_subject("d-value");
    request.set_version("latest");
    eddy::v1::GetVersionResponse response;
    ASSERT_TRUE(stub->GetVersion(&context, request, &response).ok());
    EXPECT_EQ(response.version().schema().id(), 1);
  }
  {
    grpc::ClientContext context;
    eddy::v1::GetModeResponse response;
    ASSERT_TRUE(stub->GetMode(&context, eddy::v1::GetModeRequest(), &response).ok());
    EXPECT_EQ(response.mode(), "READWRITE");
  }

  // New registrations continue above the imported ids.
  RegistryResponse fresh =
      dst.Post("/subjects/e-value/versions", Json{{"schema", AvroRecord("Echo", {"e"})}});
  ASSERT_EQ(fresh.status, 200) << fresh.raw;
  EXPECT_GT(fresh.json["id"].get<int>(), referencing.json["id"].get<int>());

  // A registry holding schemas is not an import target unless forced (Confluent's 42205).
  absl::StatusOr<ProcessResult> again = Eddyctl({"registry", "import", to, "--file=" + file});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->exit_code, 1);
  EXPECT_THAT(again->err, ::testing::HasSubstr("42205"));
  // A file that is not an export is refused before anything is written.
  const std::string junk = file + ".junk";
  { std::ofstream(junk) << R"({"schemas": 7})"; }
  absl::StatusOr<ProcessResult> bad = Eddyctl({"registry", "import", to, "--file=" + junk});
  ASSERT_TRUE(bad.ok()) << bad.status();
  EXPECT_EQ(bad->exit_code, 1);
  EXPECT_THAT(bad->err, ::testing::HasSubstr("not an eddy registry export"));
}

}  // namespace
}  // namespace eddy::testing
