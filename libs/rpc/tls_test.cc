#include "libs/rpc/tls.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "libs/rpc/deadline.h"
#include "libs/rpc/internal/fake_controller.h"
#include "libs/rpc/server.h"
#include "libs/rpc/status.h"
#include "tests/testing/status_matchers.h"

namespace eddy::rpc {
namespace {

using ::eddy::testing::IsOk;
using ::eddy::testing::StatusIs;
using ::testing::HasSubstr;

// Certificates holds a throwaway CA and a leaf certificate for 127.0.0.1/localhost signed by it,
// made with the openssl CLI once for the whole suite. The leaf also serves as the mTLS client
// certificate (no extendedKeyUsage restriction).
class Certificates {
 public:
  static const Certificates& Get() {
    static const Certificates* certs = new Certificates();
    return *certs;
  }
  std::string dir;
  std::string ca_pem, ca_key, leaf_pem, leaf_key, other_ca_pem;
  bool ok = false;

 private:
  Certificates() {
    std::string tmpl = ::testing::TempDir() + "eddy_rpc_tls_XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) return;
    dir = tmpl;
    ca_pem = dir + "/ca.pem";
    ca_key = dir + "/ca.key";
    leaf_pem = dir + "/leaf.pem";
    leaf_key = dir + "/leaf.key";
    other_ca_pem = dir + "/other_ca.pem";
    std::ofstream(dir + "/leaf.ext")
        << "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n";
    const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    const std::string script = absl::StrCat(
        "set -e; cd '", dir, "'; ",
        "openssl req -x509 ", ec, " -keyout ca.key -out ca.pem -days 2 -subj /CN=eddy-test-ca; ",
        "openssl req -x509 ", ec,
        " -keyout other_ca.key -out other_ca.pem -days 2 -subj /CN=eddy-other-ca; ",
        "openssl req ", ec, " -keyout leaf.key -out leaf.csr -subj /CN=localhost; ",
        "openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 ",
        "-extfile leaf.ext -out leaf.pem",
        " >openssl.log 2>&1");
    ok = std::system(script.c_str()) == 0;
  }
};

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    certs_ = &Certificates::Get();
    ASSERT_TRUE(certs_->ok) << "openssl failed; see " << certs_->dir << "/openssl.log";
  }

  // StartServer starts a FakeController server with `tls`.
  void StartServer(TlsOptions tls) {
    ServerOptions options;
    options.tls = std::move(tls);
    server_ = std::make_unique<GrpcServer>(options);
    server_->AddService(&service_);
    EDDY_ASSERT_OK(server_->Start());
  }

  // CallWith makes one call to the server at 127.0.0.1 over a channel with client `tls`. (Not
  // "localhost": resolving it goes through c-ares, which leaks a few bytes under LeakSanitizer.)
  absl::Status CallWith(const TlsOptions& tls) {
    auto credentials = MakeChannelCredentials(tls);
    if (!credentials.ok()) return credentials.status();
    auto channel =
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()), *credentials);
    grpc::ClientContext context;
    SetDeadline(context, absl::Seconds(3));
    return FromGrpcStatus(internal::CallGetClusterStatus(*channel, context));
  }

  const Certificates* certs_ = nullptr;
  internal::FakeController service_;
  std::unique_ptr<GrpcServer> server_;
};

TEST_F(TlsTest, ClientTrustingCaConnects) {
  StartServer({.cert_file = certs_->leaf_pem, .key_file = certs_->leaf_key});
  EXPECT_THAT(CallWith({.ca_file = certs_->ca_pem}), IsOk());
}

TEST_F(TlsTest, InsecureClientFails) {
  StartServer({.cert_file = certs_->leaf_pem, .key_file = certs_->leaf_key});
  EXPECT_FALSE(CallWith({}).ok());
  EXPECT_EQ(service_.calls(), 0);
}

TEST_F(TlsTest, ClientTrustingOtherCaFails) {
  StartServer({.cert_file = certs_->leaf_pem, .key_file = certs_->leaf_key});
  EXPECT_FALSE(CallWith({.ca_file = certs_->other_ca_pem}).ok());
  EXPECT_EQ(service_.calls(), 0);
}

TEST_F(TlsTest, MutualTlsRequiresClientCertificate) {
  StartServer({.cert_file = certs_->leaf_pem,
               .key_file = certs_->leaf_key,
               .ca_file = certs_->ca_pem});
  EXPECT_FALSE(CallWith({.ca_file = certs_->ca_pem}).ok());
  EXPECT_THAT(CallWith({.cert_file = certs_->leaf_pem,
                        .key_file = certs_->leaf_key,
                        .ca_file = certs_->ca_pem}),
              IsOk());
  EXPECT_EQ(service_.calls(), 1);
}

TEST(TlsOptionsTest, EnabledWhenAnyFileSet) {
  EXPECT_FALSE(TlsOptions{}.enabled());
  EXPECT_TRUE(TlsOptions{.ca_file = "x"}.enabled());
  EXPECT_TRUE(TlsOptions{.cert_file = "x"}.enabled());
}

TEST(TlsOptionsTest, DisabledMeansInsecure) {
  auto server = MakeServerCredentials({});
  ASSERT_THAT(server.status(), IsOk());
  EXPECT_NE(*server, nullptr);
  auto channel = MakeChannelCredentials({});
  ASSERT_THAT(channel.status(), IsOk());
  EXPECT_NE(*channel, nullptr);
}

TEST(TlsOptionsTest, MissingFileIsInvalidArgumentNamingIt) {
  const std::string missing = "/nonexistent/eddy/missing.pem";
  const auto& certs = Certificates::Get();
  ASSERT_TRUE(certs.ok);
  EXPECT_THAT(MakeServerCredentials({.cert_file = missing, .key_file = certs.leaf_key}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(missing)));
  EXPECT_THAT(MakeServerCredentials({.cert_file = certs.leaf_pem, .key_file = missing}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(missing)));
  EXPECT_THAT(MakeServerCredentials(
                  {.cert_file = certs.leaf_pem, .key_file = certs.leaf_key, .ca_file = missing})
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(missing)));
  EXPECT_THAT(MakeChannelCredentials({.ca_file = missing}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(missing)));
}

TEST(TlsOptionsTest, IncompleteOptionsAreInvalid) {
  EXPECT_THAT(MakeServerCredentials({.ca_file = "/x/ca.pem"}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MakeChannelCredentials({.cert_file = "/x/c.pem"}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace eddy::rpc
