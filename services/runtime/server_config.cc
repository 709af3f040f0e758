#include "services/runtime/server_config.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"

extern char** environ;

namespace eddy::runtime {

std::string ServerConfig::AdvertisedHost() const {
  return advertised_host.empty() ? listen_host : advertised_host;
}

absl::Status ServerConfig::Validate() const {
  if (grpc_port != 0 && grpc_port == http_port) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid value for --http-port: ", http_port, " is also --grpc-port"));
  }
  if (data_dir.empty()) {
    return absl::InvalidArgumentError("invalid value for --data-dir: must not be empty");
  }
  return absl::OkStatus();
}

void AddServerConfig(common::ConfigSpec& spec, ServerConfig* config) {
  spec.Add("listen-host", &config->listen_host, "Address the gRPC and HTTP listeners bind to.");
  spec.Add("advertised-host", &config->advertised_host,
           "Host other members are told to use; empty means --listen-host.");
  spec.Add("grpc-port", &config->grpc_port, "gRPC port; 0 binds an ephemeral port.", 0, 65535);
  spec.Add("http-port", &config->http_port,
           "HTTP port for /metrics, /healthz and /readyz; 0 binds an ephemeral port.", 0, 65535);
  spec.Add("data-dir", &config->data_dir, "Directory for the daemon's files.");
  spec.AddChoice("log-level", &config->log.level,
                 {"trace", "debug", "info", "warn", "error", "critical", "off"},
                 "Lowest level that is logged.");
  spec.AddChoice("log-format", &config->log.format, {"text", "json"},
                 "text: one readable line per event; json: one JSON object per line.");
  spec.Add("shutdown-timeout-ms", &config->shutdown_timeout_ms,
           "Milliseconds a SIGTERM stop may take before the process exits anyway.", 100, 60000);
}

namespace {

[[noreturn]] void ExitWithConfigError(std::string_view program, const absl::Status& status) {
  std::string name(program);
  if (auto slash = name.rfind('/'); slash != std::string::npos) name = name.substr(slash + 1);
  std::string message(status.message());
  for (char& c : message) {
    if (c == '\n') c = ' ';
  }
  std::fprintf(stderr, "%s: %s\n", name.c_str(), message.c_str());
  std::fflush(stderr);
  std::_Exit(2);
}

[[noreturn]] void ExitPrinting(const std::string& text) {
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
  std::_Exit(0);
}

}  // namespace

void LoadConfigOrExit(common::ConfigSpec& spec, int argc, char** argv,
                      const std::function<absl::Status()>& validate) {
  if (argc == 2 && std::string_view(argv[1]) == "--config-reference") {
    ExitPrinting(spec.MarkdownReference());
  }
  absl::Status status = spec.Load(argc, argv, environ);
  if (status.ok() && spec.help_requested()) ExitPrinting(spec.Usage());
  if (status.ok()) status = validate();
  if (!status.ok()) ExitWithConfigError(argc > 0 ? argv[0] : "eddy", status);
}
}  // namespace eddy::runtime
