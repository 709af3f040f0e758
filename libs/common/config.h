// ConfigSpec binds named keys to the fields of a daemon's plain config struct and fills them from,
// in increasing precedence: the defaults, a config file, EDDY_* environment variables, and flags.
// The field's value when Add() is called is its default. Keys are dash-case ("grpc-port"); each key
// has the flag --grpc-port, the environment variable EDDY_GRPC_PORT and the config-file key
// "grpc-port". One table drives parsing, --help, the effective-config log line and
// docs/configuration.md, so they cannot disagree.
//
// Config file (--config=PATH, else EDDY_CONFIG): if its first non-blank character is '{' it is a
// JSON object of key → string, number or boolean; otherwise it holds `key=value` lines, where blank
// lines and lines starting with '#' are ignored and spaces around key and value are trimmed (the
// value is taken literally: no quotes, no inline comments). Unknown keys in a file are errors.
//
// Environment: only variables of known keys are read, because one environment is shared by several
// daemons and tools; unknown EDDY_* variables are ignored.
//
// Flags: --key=value, --key value (a following argument starting with "--" is not taken as a value),
// and for bools also bare --key (true) and --no-key (false). --help / -h requests usage; positional
// arguments are rejected.
//
// Values: bools accept true/false, 1/0, yes/no, on/off (any case); integers are decimal and
// bounds-checked; doubles are decimal or exponent notation and bounds-checked; choices must match
// one of the listed strings exactly.
//
// Every Load() error is InvalidArgument and names the key in flag form, plus where the bad value
// came from when it was not a flag:
//   invalid value for --grpc-port (EDDY_GRPC_PORT): "abc" is not an integer
//   invalid value for --grpc-port: 70000 is out of range [1, 65535]
//   invalid value for --grpc-port (config file /etc/eddy.json): "x" is not an integer
//   unknown flag --grpc-prot
//   unknown key "foo" in config file /path
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/status.h"

namespace eddy::common {

// ConfigField describes one key, for help text and documentation. For secrets, default_value is
// "***" unless the default is empty.
struct ConfigField {
  std::string key;            // "grpc-port"
  std::string env;            // "EDDY_GRPC_PORT"
  std::string type;           // string | bool | int32 | int64 | double | choice
  std::string default_value;  // As it would be written on the command line.
  std::string help;
  std::string bounds;  // "[1, 65535]", "{text, json}" or empty.
  bool secret = false;
};

// ConfigSpec is built once in main(), then Load()ed once. The bound fields must outlive it.
// Adding a key twice, a key that is not dash-case, or the reserved keys "config" and "help" is a
// programming error and aborts. Thread-safety: not thread-safe.
class ConfigSpec {
 public:
  explicit ConfigSpec(std::string daemon);  // e.g. "eddy-broker"

  void Add(std::string_view key, std::string* field, std::string_view help);
  // AddSecret binds a string whose value is never printed (passwords, keys).
  void AddSecret(std::string_view key, std::string* field, std::string_view help);
  void Add(std::string_view key, bool* field, std::string_view help);
  // REQUIRES: min <= default <= max, and for int32 fields the bounds fit in int32.
  void Add(std::string_view key, int32_t* field, std::string_view help, int64_t min, int64_t max);
  void Add(std::string_view key, int64_t* field, std::string_view help, int64_t min, int64_t max);
  void Add(std::string_view key, double* field, std::string_view help, double min, double max);
  // REQUIRES: `choices` contains the field's current value.
  void AddChoice(std::string_view key, std::string* field, std::vector<std::string> choices,
                 std::string_view help);

  // Load resets every field to its default and then applies the file, environment and flags as
  // described above. `envp` is a null-terminated "NAME=value" array (environ); it may be null.
  // argv[0] is the program name and is skipped. If --help or -h appears, Load only records that and
  // returns OK without applying anything; the caller prints Usage() and exits.
  absl::Status Load(int argc, const char* const* argv, const char* const* envp);

  bool help_requested() const { return help_requested_; }

  // Usage returns the --help text: a synopsis and every key with its env name, type, default,
  // bounds and help.
  std::string Usage() const;

  // EffectiveConfig returns the current values on one line, "key=value key=value ...", in Add()
  // order, secrets shown as ***. Values that are empty or contain spaces, quotes or backslashes are
  // double-quoted with C escapes.
  std::string EffectiveConfig() const;

  // MarkdownReference returns a markdown table: key | env | type | default | bounds | help.
  std::string MarkdownReference() const;

  const std::vector<ConfigField>& fields() const { return fields_; }

 private:
  struct IntBinding {
    int64_t* field64;  // Exactly one of field64 / field32 is set.
    int32_t* field32;
    int64_t min;
    int64_t max;
    int64_t default_value;
  };
  struct DoubleBinding {
    double* field;
    double min;
    double max;
    double default_value;
  };
  struct BoolBinding {
    bool* field;
    bool default_value;
  };
  struct StringBinding {
    std::string* field;
    std::string default_value;
    std::vector<std::string> choices;  // Empty: any string.
  };
  using Binding = std::variant<StringBinding, BoolBinding, IntBinding, DoubleBinding>;

  // Where a value came from, for error messages.
  struct Source {
    enum class Kind { kFlag, kEnv, kFile } kind;
    std::string path;  // Config file path for kFile.
  };

  void Register(ConfigField field, Binding binding);
  int Find(std::string_view key) const;  // Index into fields_, or -1.
  absl::Status Apply(int index, std::string_view value, const Source& source);
  absl::Status ApplyFile(const std::string& path);
  std::string CurrentValue(int index) const;

  std::string daemon_;
  std::vector<ConfigField> fields_;
  std::vector<Binding> bindings_;  // Parallel to fields_.
  bool help_requested_ = false;
};

}  // namespace eddy::common
