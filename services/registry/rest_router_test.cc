#include "services/registry/rest_router.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/registry/registry_errors.h"
#include "services/registry/registry_service.h"
#include "services/registry/rest_json.h"

namespace eddy::registry {
namespace {

using ::testing::ElementsAre;

RestRouter Routes() {
  RestRouter router;
  auto ok = [](const RestRequest&) -> absl::StatusOr<RestReply> { return RestReply{}; };
  router.Add("GET", "/subjects", ok);
  router.Add("GET", "/subjects/{subject}/versions/{version}", ok);
  router.Add("DELETE", "/subjects/{subject}/versions/{version}", ok);
  router.Add("GET", "/schemas/types", ok);
  return router;
}

TEST(RestRouterTest, MatchesPatternsAndDecodesParameters) {
  RestRouter router = Routes();
  RestRouter::Match match = router.Find("GET", "/subjects/a%2Fb%20c/versions/latest");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->pattern, "/subjects/{subject}/versions/{version}");
  EXPECT_THAT(match.params, ElementsAre("a/b c", "latest"));
  EXPECT_EQ(router.Find("DELETE", "/subjects/x/versions/1").route->method, "DELETE");
}

TEST(RestRouterTest, ToleratesOneTrailingSlash) {
  RestRouter router = Routes();
  EXPECT_NE(router.Find("GET", "/subjects/").route, nullptr);
  EXPECT_NE(router.Find("GET", "/schemas/types/").route, nullptr);
  EXPECT_EQ(router.Find("GET", "/schemas/types//").route, nullptr);
}

TEST(RestRouterTest, UnknownPathIs404AndKnownPathWithOtherMethodIs405) {
  RestRouter router = Routes();
  RestRouter::Match unknown = router.Find("GET", "/nope");
  EXPECT_EQ(unknown.route, nullptr);
  EXPECT_FALSE(unknown.path_known);
  RestRouter::Match wrong_method = router.Find("POST", "/schemas/types");
  EXPECT_EQ(wrong_method.route, nullptr);
  EXPECT_TRUE(wrong_method.path_known);
}

TEST(RestRouterTest, PercentDecodeKeepsMalformedEscapes) {
  EXPECT_EQ(PercentDecode("a%41%4"), "aA%4");
  EXPECT_EQ(PercentDecode("%zz+"), "%zz+");
}

TEST(RestRouterTest, FlagsReadLikeJaxRs) {
  RestRequest request;
  request.query = {{"deleted", "TRUE"}, {"permanent", "yes"}};
  EXPECT_TRUE(request.Flag("deleted"));
  EXPECT_FALSE(request.Flag("permanent"));
  EXPECT_TRUE(request.Flag("absent", true));
}

TEST(RestJsonTest, BodiesAreCheckedLikeJackson) {
  EXPECT_EQ(ErrorCodeOf(ParseBody("{not json").status()), 400);
  EXPECT_EQ(ErrorCodeOf(ParseBody(std::string(5000, '[')).status()), 400);
  EXPECT_EQ(ErrorCodeOf(ParseBody("[1]").status()), 422);
  auto body = ParseBody(R"({"schema": 5})");
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(ErrorCodeOf(ParseSchemaInput(*body).status()), 422);
  body = ParseBody(R"({"schema": "x", "schemaType": "XML"})");
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(ErrorCodeOf(ParseSchemaInput(*body).status()), 42201);
  body = ParseBody(R"({"schema": "x", "metadata": {"properties": {"a": "b"}}, "ruleSet": null,
                       "references": [{"name": "n", "subject": "s", "version": 2}], "extra": 1})");
  ASSERT_TRUE(body.ok());
  auto input = ParseSchemaInput(*body);
  ASSERT_TRUE(input.ok());
  EXPECT_EQ(input->metadata_json, R"({"properties":{"a":"b"}})");
  EXPECT_EQ(input->rule_set_json, "");
  ASSERT_EQ(input->references.size(), 1u);
  EXPECT_EQ(input->references[0].version, 2);
}

TEST(RestJsonTest, VersionsParseLikeConfluent) {
  EXPECT_EQ(*RegistryService::ParseVersion("latest"), 0);
  EXPECT_EQ(*RegistryService::ParseVersion("-1"), 0);
  EXPECT_EQ(*RegistryService::ParseVersion("7"), 7);
  EXPECT_EQ(ErrorCodeOf(RegistryService::ParseVersion("0").status()), 42202);
  EXPECT_EQ(ErrorCodeOf(RegistryService::ParseVersion("abc").status()), 42202);
  EXPECT_EQ(ErrorCodeOf(RegistryService::ParseVersion("2147483648").status()), 42202);
}

TEST(RegistryErrorsTest, HttpStatusFollowsTheCode) {
  EXPECT_EQ(HttpStatusFor(40401), 404);
  EXPECT_EQ(HttpStatusFor(40901), 409);
  EXPECT_EQ(HttpStatusFor(42201), 422);
  EXPECT_EQ(HttpStatusFor(42209), 500);
  EXPECT_EQ(HttpStatusFor(50001), 500);
  EXPECT_EQ(HttpStatusFor(415), 415);
  EXPECT_EQ(ErrorCodeOf(absl::InternalError("x")), 50001);
}

}  // namespace
}  // namespace eddy::registry
