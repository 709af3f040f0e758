// REST conformance suite for eddy-registry (issue 9, acceptance 3 and 6): a real registry started
// by LocalCluster, driven over HTTP through every route family, checking success bodies, every
// Confluent error code, unknown routes, trailing slashes, content types and bad input.
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/registry_test_client.h"
#include "tests/testing/local_cluster.h"
#include "tests/testing/status_matchers.h"

namespace eddy::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Json = nlohmann::json;

class RegistryRestTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    LocalClusterOptions options;
    options.bin_dir = EDDY_BIN_DIR;
    options.brokers = 0;
    options.coordinators = 0;
    options.gateways = 0;
    options.keep_data_if = [] { return ::testing::Test::HasFailure(); };
    cluster_ = new LocalCluster(options);
    EDDY_ASSERT_OK(cluster_->Start());
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }

  RegistryClient Client() { return RegistryClient(cluster_->RegistryRestPort()); }

  // Register registers `schema` (AVRO unless `type` is given) and returns the response.
  RegistryResponse Register(const std::string& subject, const std::string& schema,
                            const std::string& type = "", Json extra = Json::object()) {
    Json body = extra;
    body["schema"] = schema;
    if (!type.empty()) body["schemaType"] = type;
    return Client().Post("/subjects/" + subject + "/versions", body);
  }

  int RegisterId(const std::string& subject, const std::string& schema,
                 const std::string& type = "") {
    RegistryResponse response = Register(subject, schema, type);
    EXPECT_EQ(response.status, 200) << response.raw;
    return response.json.value("id", -1);
  }

  static LocalCluster* cluster_;
};

LocalCluster* RegistryRestTest::cluster_ = nullptr;

TEST_F(RegistryRestTest, RegisterLookupAndReadBack) {
  const std::string schema = AvroRecord("User", {"name"});
  const int id = RegisterId("rl-a", schema);
  ASSERT_GT(id, 0);
  // The same schema under another subject gets the same id; registering again changes nothing.
  EXPECT_EQ(RegisterId("rl-b", schema), id);
  EXPECT_EQ(RegisterId("rl-a", schema), id);

  RegistryClient client = Client();
  RegistryResponse by_id = client.Get("/schemas/ids/" + std::to_string(id));
  ASSERT_EQ(by_id.status, 200) << by_id.raw;
  EXPECT_EQ(by_id.json, Json({{"schema", schema}}));
  EXPECT_EQ(client.Get("/schemas/ids/" + std::to_string(id) + "/schema").raw, schema);
  EXPECT_GE(client.Get("/schemas/ids/" + std::to_string(id) + "?fetchMaxId=true").json["maxId"],
            id);
  EXPECT_EQ(client.Get("/schemas/ids/" + std::to_string(id) + "/subjects").json,
            Json({"rl-a", "rl-b"}));
  EXPECT_EQ(client.Get("/schemas/ids/" + std::to_string(id) + "/versions").json,
            Json::parse(R"([{"subject":"rl-a","version":1},{"subject":"rl-b","version":1}])"));

  RegistryResponse lookup = client.Post("/subjects/rl-a", Json{{"schema", schema}});
  ASSERT_EQ(lookup.status, 200) << lookup.raw;
  EXPECT_EQ(lookup.json, Json({{"subject", "rl-a"}, {"version", 1}, {"id", id}, {"schema", schema}}));
  // Field order is Confluent's.
  EXPECT_THAT(lookup.raw, HasSubstr(R"({"subject":"rl-a","version":1,"id":)"));

  // A field without a default is not BACKWARD compatible; under NONE it registers.
  ASSERT_EQ(client.Put("/config/rl-a", Json{{"compatibility", "NONE"}}).status, 200);
  const int id2 = RegisterId("rl-a", AvroRecord("User", {"name", "email"}));
  EXPECT_GT(id2, id);
  EXPECT_EQ(client.Get("/subjects/rl-a/versions").json, Json({1, 2}));
  for (const char* latest : {"latest", "-1", "2"}) {
    RegistryResponse version = client.Get(std::string("/subjects/rl-a/versions/") + latest);
    EXPECT_EQ(version.json.value("version", 0), 2) << latest;
    EXPECT_EQ(version.json.value("id", 0), id2) << latest;
  }
  EXPECT_EQ(client.Get("/subjects/rl-a/versions/1/schema").raw, schema);
  EXPECT_EQ(client.Get("/schemas/types").json, Json({"JSON", "PROTOBUF", "AVRO"}));
  Json subjects = client.Get("/subjects?subjectPrefix=rl-").json;
  EXPECT_EQ(subjects, Json({"rl-a", "rl-b"}));
  Json all = client.Get("/schemas?subjectPrefix=rl-a").json;
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1]["id"], id2);
  EXPECT_EQ(client.Get("/schemas?subjectPrefix=rl-a&latestOnly=true").json.size(), 1u);
}

TEST_F(RegistryRestTest, ProtobufJsonMetadataAndRuleSetAreKept) {
  const std::string proto = "syntax = \"proto3\";\nmessage Order { string id = 1; int64 cents = 2; }\n";
  RegistryResponse registered = Register(
      "pj-proto", proto, "PROTOBUF",
      Json{{"metadata", {{"properties", {{"owner", "team-a"}}}}}, {"ruleSet", nullptr}});
  ASSERT_EQ(registered.status, 200) << registered.raw;
  RegistryResponse got = Client().Get("/subjects/pj-proto/versions/latest");
  EXPECT_EQ(got.json["schemaType"], "PROTOBUF");
  EXPECT_EQ(got.json["metadata"], Json({{"properties", {{"owner", "team-a"}}}}));
  EXPECT_FALSE(got.json.contains("ruleSet"));

  const std::string json_schema =
      R"({"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false})";
  ASSERT_GT(RegisterId("pj-json", json_schema, "JSON"), 0);
  EXPECT_EQ(Client().Get("/subjects/pj-json/versions/1").json["schemaType"], "JSON");
  // metadata must be an object or null.
  EXPECT_EQ(Register("pj-json", json_schema, "JSON", Json{{"metadata", 5}}).status, 422);
}

TEST_F(RegistryRestTest, ReferencesAndReferencedBy) {
  const std::string base = R"({"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"city","type":"string"}]})";
  ASSERT_GT(RegisterId("ref-address", base), 0);
  Json body = {{"schema",
                R"({"type":"record","name":"Customer","namespace":"com.acme","fields":[{"name":"home","type":"com.acme.Address"}]})"},
               {"references", {{{"name", "com.acme.Address"}, {"subject", "ref-address"}, {"version", 1}}}}};
  RegistryResponse customer = Client().Post("/subjects/ref-customer/versions", body);
  ASSERT_EQ(customer.status, 200) << customer.raw;
  const int customer_id = customer.json["id"];
  EXPECT_EQ(Client().Get("/subjects/ref-address/versions/1/referencedby").json, Json({customer_id}));
  RegistryResponse got = Client().Get("/subjects/ref-customer/versions/1");
  EXPECT_EQ(got.json["references"], body["references"]);
  // 42206: a referenced schema cannot be deleted.
  EXPECT_EQ(Client().Delete("/subjects/ref-address/versions/1").error_code(), 42206);
  EXPECT_EQ(Client().Delete("/subjects/ref-address").error_code(), 42206);
  // A reference to nothing is an invalid schema.
  body["references"][0]["version"] = 9;
  EXPECT_EQ(Client().Post("/subjects/ref-other/versions", body).error_code(), 42201);
}

TEST_F(RegistryRestTest, DeleteLifecycleAndItsErrors) {
  RegistryClient client = Client();
  ASSERT_EQ(client.Put("/config/del-a", Json{{"compatibility", "NONE"}}).status, 200);
  const int id = RegisterId("del-a", AvroRecord("Del", {"x"}));
  ASSERT_GT(RegisterId("del-a", AvroRecord("Del", {"x", "y"})), 0);
  EXPECT_EQ(client.Delete("/subjects/del-a/versions/1?permanent=true").error_code(), 40407);
  EXPECT_EQ(client.Delete("/subjects/del-a/versions/1").json, Json(1));
  EXPECT_EQ(client.Delete("/subjects/del-a/versions/1").error_code(), 40406);
  EXPECT_EQ(client.Get("/subjects/del-a/versions").json, Json({2}));
  EXPECT_EQ(client.Get("/subjects/del-a/versions?deleted=true").json, Json({1, 2}));
  EXPECT_EQ(client.Get("/subjects/del-a/versions?deletedOnly=true").json, Json({1}));
  EXPECT_EQ(client.Get("/subjects/del-a/versions/1").error_code(), 40402);
  EXPECT_EQ(client.Get("/subjects/del-a/versions/1?deleted=true").json["id"], id);
  // A soft-deleted schema keeps its id resolvable.
  EXPECT_EQ(client.Get("/schemas/ids/" + std::to_string(id)).status, 200);
  EXPECT_EQ(client.Delete("/subjects/del-a/versions/1?permanent=true").json, Json(1));
  EXPECT_EQ(client.Get("/schemas/ids/" + std::to_string(id)).error_code(), 40403);

  EXPECT_EQ(client.Delete("/subjects/del-a?permanent=true").error_code(), 40405);
  EXPECT_EQ(client.Delete("/subjects/del-a").json, Json({2}));
  EXPECT_EQ(client.Delete("/subjects/del-a").error_code(), 40404);
  EXPECT_EQ(client.Get("/subjects/del-a/versions").error_code(), 40401);
  EXPECT_THAT(client.Get("/subjects?deletedOnly=true").json.dump(), HasSubstr("\"del-a\""));
  EXPECT_EQ(client.Delete("/subjects/del-a?permanent=true").json, Json({2}));
  EXPECT_EQ(client.Delete("/subjects/del-a").error_code(), 40401);
  EXPECT_EQ(client.Delete("/subjects/never").error_code(), 40401);
}

TEST_F(RegistryRestTest, CompatibilityChecksAndRegistrationErrors) {
  ASSERT_GT(RegisterId("compat-a", AvroRecord("C", {"a"})), 0);
  RegistryClient client = Client();
  // Adding a field without a default is not BACKWARD compatible.
  const Json incompatible = {{"schema", AvroRecord("C", {"a", "b"})}};
  RegistryResponse check =
      client.Post("/compatibility/subjects/compat-a/versions/latest?verbose=true", incompatible);
  ASSERT_EQ(check.status, 200) << check.raw;
  EXPECT_EQ(check.json["is_compatible"], false);
  EXPECT_FALSE(check.json["messages"].empty());
  EXPECT_EQ(client.Post("/compatibility/subjects/compat-a/versions", incompatible).json,
            Json({{"is_compatible", false}}));
  EXPECT_EQ(client.Post("/compatibility/subjects/compat-a/versions/1",
                        Json{{"schema", AvroRecord("C", {"a"})}})
                .json,
            Json({{"is_compatible", true}}));
  EXPECT_EQ(client.Post("/compatibility/subjects/compat-none/versions", incompatible)
                .json["is_compatible"],
            true);
  EXPECT_EQ(client.Post("/compatibility/subjects/compat-none/versions/1", incompatible)
                .error_code(),
            40401);
  EXPECT_EQ(client.Post("/compatibility/subjects/compat-a/versions/7", incompatible).error_code(),
            40402);
  EXPECT_EQ(client.Post("/compatibility/subjects/compat-a/versions/zero", incompatible)
                .error_code(),
            42202);

  RegistryResponse refused = client.Post("/subjects/compat-a/versions", incompatible);
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.error_code(), 40901);
  EXPECT_THAT(refused.json["message"].get<std::string>(), HasSubstr("compat-a"));
  // Under NONE the same schema registers.
  EXPECT_EQ(client.Put("/config/compat-a", Json{{"compatibility", "NONE"}}).json,
            Json({{"compatibility", "NONE"}}));
  EXPECT_EQ(client.Post("/subjects/compat-a/versions", incompatible).status, 200);

  // 42201 for invalid schemas of each type, 42202 for invalid versions.
  EXPECT_EQ(Register("bad", "{\"type\":\"record\"}").error_code(), 42201);
  EXPECT_EQ(Register("bad", "message {", "PROTOBUF").error_code(), 42201);
  EXPECT_EQ(Register("bad", "{\"type\": 12}", "JSON").error_code(), 42201);
  EXPECT_EQ(Register("bad", "", "").error_code(), 42201);
  EXPECT_EQ(Register("bad", "\"string\"", "XML").error_code(), 42201);
  EXPECT_EQ(client.Get("/subjects/compat-a/versions/0").error_code(), 42202);
  EXPECT_EQ(client.Get("/subjects/compat-a/versions/abc").error_code(), 42202);
  // Lookup errors.
  EXPECT_EQ(client.Post("/subjects/compat-a", Json{{"schema", "\"long\""}}).error_code(), 40403);
  EXPECT_EQ(client.Post("/subjects/nobody", Json{{"schema", "\"long\""}}).error_code(), 40401);
  EXPECT_EQ(client.Get("/schemas/ids/999999").error_code(), 40403);
  // 42208: a subject with a control character.
  EXPECT_EQ(client.Put("/config/bad%01subject", Json{{"compatibility", "FULL"}}).error_code(),
            42208);
}

TEST_F(RegistryRestTest, ConfigRoutes) {
  RegistryClient client = Client();
  EXPECT_EQ(client.Get("/config").json, Json({{"compatibilityLevel", "BACKWARD"}}));
  EXPECT_EQ(client.Put("/config", Json{{"compatibility", "full_transitive"}}).json,
            Json({{"compatibility", "FULL_TRANSITIVE"}}));
  EXPECT_EQ(client.Get("/config").json, Json({{"compatibilityLevel", "FULL_TRANSITIVE"}}));
  EXPECT_EQ(client.Put("/config", Json{{"compatibility", "SIDEWAYS"}}).error_code(), 42203);
  EXPECT_EQ(client.Get("/config/cfg-a").error_code(), 40408);
  EXPECT_EQ(client.Get("/config/cfg-a?defaultToGlobal=true").json,
            Json({{"compatibilityLevel", "FULL_TRANSITIVE"}}));
  EXPECT_EQ(client.Put("/config/cfg-a", Json{{"compatibility", "FORWARD"}}).status, 200);
  EXPECT_EQ(client.Get("/config/cfg-a").json, Json({{"compatibilityLevel", "FORWARD"}}));
  EXPECT_EQ(client.Delete("/config/cfg-a").json, Json({{"compatibilityLevel", "FORWARD"}}));
  EXPECT_EQ(client.Delete("/config/cfg-a").error_code(), 40401);
  EXPECT_EQ(client.Delete("/config").json, Json({{"compatibilityLevel", "FULL_TRANSITIVE"}}));
  EXPECT_EQ(client.Get("/config").json, Json({{"compatibilityLevel", "BACKWARD"}}));
}

TEST_F(RegistryRestTest, ModeRoutesAndImport) {
  RegistryClient client = Client();
  EXPECT_EQ(client.Get("/mode").json, Json({{"mode", "READWRITE"}}));
  EXPECT_EQ(client.Put("/mode/mode-a", Json{{"mode", "READONLY"}}).json,
            Json({{"mode", "READONLY"}}));
  EXPECT_EQ(client.Get("/mode/mode-a").json, Json({{"mode", "READONLY"}}));
  EXPECT_EQ(Register("mode-a", "\"string\"").error_code(), 42205);
  EXPECT_EQ(client.Put("/mode/mode-a", Json{{"mode", "SIDEWAYS"}}).error_code(), 42204);
  EXPECT_EQ(client.Delete("/mode/mode-a").json, Json({{"mode", "READONLY"}}));
  EXPECT_EQ(client.Get("/mode/mode-a").error_code(), 40409);
  EXPECT_EQ(client.Get("/mode/mode-a?defaultToGlobal=true").json, Json({{"mode", "READWRITE"}}));
  EXPECT_EQ(client.Delete("/mode/mode-a").error_code(), 40401);

  // IMPORT keeps the given id and version; an id clash is 42207.
  EXPECT_EQ(client.Put("/mode/import-a", Json{{"mode", "IMPORT"}}).status, 200);
  RegistryResponse imported =
      Register("import-a", AvroRecord("Imported", {"q"}), "", Json{{"id", 5000}, {"version", 3}});
  ASSERT_EQ(imported.status, 200) << imported.raw;
  EXPECT_EQ(imported.json["id"], 5000);
  EXPECT_EQ(client.Get("/subjects/import-a/versions").json, Json({3}));
  EXPECT_EQ(Register("import-a", AvroRecord("Other", {"q"}), "", Json{{"id", 5000}}).error_code(),
            42207);
  // Outside IMPORT an id cannot be chosen.
  EXPECT_EQ(Register("mode-b", AvroRecord("Imported", {"q"}), "", Json{{"id", 6000}}).error_code(),
            42205);
  EXPECT_EQ(client.Delete("/mode/import-a").status, 200);
  // The registry is not empty, so global IMPORT needs force.
  EXPECT_EQ(client.Put("/mode", Json{{"mode", "IMPORT"}}).error_code(), 42205);
}

TEST_F(RegistryRestTest, UnknownRoutesTrailingSlashesAndContentTypes) {
  RegistryClient client = Client();
  RegistryResponse unknown = client.Get("/no/such/route");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.json, Json({{"error_code", 404}, {"message", "HTTP 404 Not Found"}}));
  EXPECT_EQ(client.Get("/schemas/ids/notanumber").error_code(), 404);
  RegistryResponse wrong_method = client.Post("/schemas/types", Json::object());
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.error_code(), 405);
  EXPECT_EQ(client.Get("/subjects/").status, 200);
  EXPECT_EQ(client.Get("/schemas/types/").json, Json({"JSON", "PROTOBUF", "AVRO"}));

  EXPECT_EQ(client.Get("/subjects").content_type, "application/vnd.schemaregistry.v1+json");
  EXPECT_EQ(client.Get("/subjects", "application/json").content_type, "application/json");
  EXPECT_EQ(client.Get("/subjects", "application/vnd.schemaregistry+json").content_type,
            "application/vnd.schemaregistry+json");
  EXPECT_EQ(client.Get("/subjects", "text/html").status, 406);
  for (const char* type : {"application/vnd.schemaregistry.v1+json",
                           "application/vnd.schemaregistry+json", "application/json"}) {
    EXPECT_EQ(client.Post("/subjects/ct-a/versions", Json{{"schema", "\"string\""}}.dump(), type)
                  .status,
              200)
        << type;
  }
  RegistryResponse unsupported =
      client.Post("/subjects/ct-a/versions", Json{{"schema", "\"string\""}}.dump(), "text/plain");
  EXPECT_EQ(unsupported.status, 415);
  EXPECT_EQ(unsupported.error_code(), 415);
  EXPECT_EQ(client.Get("/").json, Json::object());
  EXPECT_EQ(client.Get("/contexts").json, Json({"."}));
  EXPECT_EQ(client.Get("/v1/metadata/id").json["scope"]["clusters"].contains("kafka-cluster"), true);
  EXPECT_TRUE(client.Get("/v1/metadata/version").json.contains("version"));
}

TEST_F(RegistryRestTest, BadInputGetsConfluentErrorsNeverACrash) {
  RegistryClient client = Client();
  RegistryResponse malformed = client.Post("/subjects/bad-in/versions", std::string("{\"schema\":"));
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.error_code(), 400);
  EXPECT_EQ(client.Post("/subjects/bad-in/versions", std::string("[1,2]")).error_code(), 422);
  EXPECT_EQ(client.Post("/subjects/bad-in/versions", std::string("{\"schema\": 7}")).error_code(),
            422);
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(client.Post("/subjects/bad-in/versions", deep).error_code(), 400);
  // Deep nesting inside the schema text reaches the parser, which refuses it.
  const std::string deep_schema = std::string(5000, '[') + "\"int\"" + std::string(5000, ']');
  EXPECT_EQ(Register("bad-in", deep_schema).error_code(), 42201);
  // A 20 MiB body: within the body limit, over the schema limit (42209, as Confluent's
  // "schema too large").
  RegistryResponse huge = Register("bad-in", "\"" + std::string(20 << 20, 'x') + "\"");
  EXPECT_EQ(huge.status, 500);
  EXPECT_EQ(huge.error_code(), 42209);
  // Over the body limit: HTTP 413 with a Confluent-style body.
  RegistryResponse too_big = client.Post("/subjects/bad-in/versions", std::string(40 << 20, ' '));
  EXPECT_EQ(too_big.status, 413);
  EXPECT_EQ(too_big.error_code(), 413);
  // Still serving.
  EXPECT_EQ(client.Get("/subjects").status, 200);
}

TEST_F(RegistryRestTest, MetricsCountRequestsByRoute) {
  ASSERT_EQ(Client().Get("/schemas/types").status, 200);
  httplib::Client http("127.0.0.1", std::stoi(cluster_->HttpAddress(Role::kRegistry).substr(10)));
  auto result = http.Get("/metrics");
  ASSERT_TRUE(result);
  EXPECT_THAT(result->body, HasSubstr(R"(eddy_registry_rest_requests_total{route="/schemas/types",method="GET",status="200"})"));
  EXPECT_THAT(result->body, HasSubstr("eddy_registry_rest_request_duration_seconds_bucket"));
  EXPECT_THAT(result->body, HasSubstr("eddy_registry_schemas "));
  EXPECT_THAT(result->body, HasSubstr("eddy_registry_compatibility_failures_total"));
}

}  // namespace
}  // namespace eddy::testing
