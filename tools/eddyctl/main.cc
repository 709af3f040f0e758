// eddyctl: Eddy's operator CLI. Subcommands so far:
//   eddyctl registry export --registry=host:port --file=backup.json
//   eddyctl registry import --registry=host:port --file=backup.json [--force]
// --registry is a schema registry's gRPC address (the quorum leader's for import). Exit codes: 0
// done, 1 the operation failed, 2 bad usage.
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "libs/common/config.h"
#include "tools/eddyctl/registry_backup.h"

extern char** environ;

namespace {

constexpr char kUsage[] =
    "usage: eddyctl registry export --registry=host:port --file=PATH\n"
    "       eddyctl registry import --registry=host:port --file=PATH [--force]\n";

int Fail(const std::string& message) {
  std::fprintf(stderr, "eddyctl: %s\n", message.c_str());
  return 1;
}

int Registry(const std::string& action, int argc, char** argv) {
  std::string target = "127.0.0.1:9096";
  std::string file;
  bool force = false;
  eddy::common::ConfigSpec spec("eddyctl registry " + action);
  spec.Add("registry", &target, "The schema registry's gRPC address (host:port).");
  spec.Add("file", &file, "The export file to write (export) or read (import).");
  spec.Add("force", &force, "Import into a registry that already holds schemas.");
  if (absl::Status status = spec.Load(argc, argv, environ); !status.ok()) {
    std::fprintf(stderr, "eddyctl: %s\n%s", std::string(status.message()).c_str(), kUsage);
    return 2;
  }
  if (spec.help_requested()) {
    std::fputs(spec.Usage().c_str(), stdout);
    return 0;
  }
  if (file.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  auto stub =
      eddy::v1::Registry::NewStub(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  if (action == "export") {
    absl::StatusOr<nlohmann::json> document = eddy::eddyctl::ExportRegistry(*stub);
    if (!document.ok()) return Fail(std::string(document.status().message()));
    std::ofstream out(file, std::ios::trunc);
    out << document->dump(2) << "\n";
    out.close();
    if (!out) return Fail("cannot write " + file);
    std::printf("exported %zu schema versions from %s to %s\n", (*document)["schemas"].size(),
                target.c_str(), file.c_str());
    return 0;
  }
  std::ifstream in(file);
  if (!in) return Fail("cannot read " + file);
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json document = nlohmann::json::parse(text.str(), nullptr, false);
  if (document.is_discarded()) return Fail(file + " is not JSON");
  absl::StatusOr<eddy::eddyctl::ImportSummary> summary =
      eddy::eddyctl::ImportRegistry(*stub, document, force);
  if (!summary.ok()) return Fail(std::string(summary.status().message()));
  std::printf("imported %d schema versions (%d soft-deleted) into %s\n", summary->versions,
              summary->deleted, target.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::string(argv[1]) == "registry") {
    const std::string action = argv[2];
    if (action == "export" || action == "import") {
      // The flags follow the two command words; ConfigSpec sees them as its own argv.
      std::vector<char*> args = {argv[0]};
      for (int i = 3; i < argc; ++i) args.push_back(argv[i]);
      args.push_back(nullptr);
      return Registry(action, static_cast<int>(args.size()) - 1, args.data());
    }
  }
  std::fputs(kUsage, stderr);
  return 2;
}
