// psample-cpp tools: a configuration file of long options, one per line.
//
//   # comment
//   collector 192.0.2.1:6343      (or: collector = 192.0.2.1:6343)
//   group 5
//   drops                         (an option without a value)
//
// Each line names a long option without its dashes, then its value (the
// rest of the line, trimmed). Blank lines and lines starting with # are
// skipped. The lines become "--key=value" arguments that go before the
// command line's, and a key the command line also gives is dropped from the
// file: the command line overrides the file, repeatable options included.
#pragma once

#include <getopt.h>

#include <string>
#include <vector>

namespace tools {

struct ConfigArgument {
  std::string text;    // "--collector=192.0.2.1:6343"
  std::string origin;  // "FILE:LINE"
};

// Reads `path` against the tool's getopt table (`options`, ending with a
// zeroed entry). False with `error` = "FILE:LINE: what is wrong" (an
// unknown key, a value for an option that takes none, a missing value), or
// "FILE: why it cannot be read".
bool read_config_file(const std::string& path, const option* options, std::vector<ConfigArgument>& out,
                      std::string& error);

// The long option names the command line uses (argv[1..]), short options
// mapped through `short_names` ("g:group w:write r:read"), so the file's
// lines with those keys can be dropped.
std::vector<std::string> command_line_keys(int argc, char** argv, const option* options, const char* short_names);

// Where the option `--config FILE` (or --config=FILE) on the command line
// points; empty when absent.
std::string config_path(int argc, char** argv);

}  // namespace tools
