#pragma once
// Reading a JSON config document with errors that name the file and the
// JSON path of the entry at fault ("sweep.json: $.groups[1].grid.x: ..."),
// so a spec's author can find the line without a debugger. Shared by the
// sweep spec reader; nothing here knows what a sweep is.
#include <nlohmann/json.hpp>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sim/common/errors.hpp"

namespace allocsim::sim {

using OrderedJson = nlohmann::ordered_json;

// A bad config document: the message is "FILE: $.path: reason".
class SpecError : public InputError {
 public:
  using InputError::InputError;
};

// A value in a document together with where it is.
struct JsonAt {
  const OrderedJson& value;
  std::string path;  // "$", "$.groups[0]", "$.groups[0].grid.queue_initial"
  const std::string& file;

  [[noreturn]] void fail(const std::string& reason) const;
  JsonAt member(const std::string& key) const;  // precondition: is an object holding key
  JsonAt element(std::size_t index) const;      // precondition: is an array

  bool has(const std::string& key) const { return value.is_object() && value.contains(key); }
  // Fails on any key not in `allowed`, naming the allowed ones.
  void only_keys(std::initializer_list<std::string_view> allowed) const;
  void require_object() const;

  std::string as_string() const;
  std::uint64_t as_uint(std::uint64_t min, std::uint64_t max) const;
  // A string or a non-empty array of strings.
  std::vector<std::string> as_string_list() const;
  // A non-empty array; fails with "empty axis" wording when empty.
  void require_nonempty_array(std::string_view what) const;
};

// Parses text; a syntax error becomes "file:line:column: reason".
OrderedJson parse_json_document(const std::string& text, const std::string& file);
// The SpecError for a syntax error in `text`: "file:line:column: reason".
SpecError json_syntax_error(const std::string& text, const std::string& file, const nlohmann::json::parse_error& e);

}  // namespace allocsim::sim
