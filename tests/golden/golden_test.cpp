// SPDX-License-Identifier: Apache-2.0
// Golden transcripts replayed against the real daemon (and the simulator): every method, every
// notification and every error a client can provoke, as documented in docs/protocol.md, whose
// examples are these files verbatim (checked below).
//
// Re-record after a deliberate protocol change: TRACTION_GOLDEN_RECORD=1 ctest -R Golden
// rewrites the expected lines from the live daemon and the docs blocks from the files.
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <map>
#include <regex>

#include "tests/e2e/process_harness.hpp"
#include "tests/golden/transcript.hpp"

namespace traction::golden {
namespace {

using e2e::build_path;
using e2e::read_file;
using e2e::Rig;
using e2e::RigOptions;
using e2e::source_path;
using e2e::wait_until;
namespace fs = std::filesystem;

const std::string kTranscripts = source_path("tests/golden/protocol");
const std::string kDocs = source_path("docs/protocol.md");

bool recording() {
  return std::getenv("TRACTION_GOLDEN_RECORD") != nullptr;
}

std::vector<std::string> transcript_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kTranscripts)) {
    if (entry.path().extension() == ".txt") names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// One client connection and the lines it received but no expectation has claimed yet.
struct Connection {
  std::unique_ptr<client::RpcClient> client;
  std::deque<std::string> unclaimed;
};

// Opens a connection with the effective uid and gid of `nobody` (65534): the kernel records the
// credentials at connect time, so the process can take root back right after.
Result<std::unique_ptr<client::RpcClient>> connect_as_nobody(const std::string& socket) {
  std::vector<gid_t> groups(static_cast<std::size_t>(getgroups(0, nullptr)));
  getgroups(static_cast<int>(groups.size()), groups.data());
  const gid_t nobody = 65534;
  if (setgroups(1, &nobody) != 0 || setegid(nobody) != 0 || seteuid(nobody) != 0) {
    return Status(Errc::link, "cannot take the credentials of nobody");
  }
  auto client = client::RpcClient::connect(socket);
  const bool restored =
      seteuid(0) == 0 && setegid(0) == 0 && setgroups(groups.size(), groups.data()) == 0;
  if (!restored) return Status(Errc::link, "cannot take root's credentials back");
  return client;
}

// Where a received line belongs: its id, or its method for a notification.
bool claims(const nlohmann::json& expected, const nlohmann::json& actual) {
  if (expected.contains("method")) return actual.value("method", "") == expected["method"];
  if (actual.contains("method")) return false;
  return actual.value("id", nlohmann::json()) == expected.value("id", nlohmann::json());
}

class Replay {
 public:
  Replay(Rig& rig, std::vector<Step>& steps) : rig_(rig), steps_(steps) {}

  void run() {
    open(client::RpcClient::connect(rig_.dir() + "/d.sock"));
    std::string batch;
    for (std::size_t i = 0; i < steps_.size(); ++i) {
      Step& step = steps_[i];
      if (step.kind != Step::Kind::send && !batch.empty()) flush(batch);
      switch (step.kind) {
        case Step::Kind::comment:
          break;
        case Step::Kind::directive:
          directive(step.text);
          break;
        case Step::Kind::send:
          batch += wire_line(substitute(step.text));
          break;
        case Step::Kind::expect:
          expect(step);
          break;
      }
      if (::testing::Test::HasFatalFailure() || skipped_) return;
    }
    if (!batch.empty()) flush(batch);
  }
  bool skipped() const { return skipped_; }

 private:
  void open(Result<std::unique_ptr<client::RpcClient>> client) {
    ASSERT_TRUE(client.ok()) << client.status().message();
    connections_.push_back(Connection{std::move(*client), {}});
  }
  Connection& current() { return connections_.back(); }

  static std::string wire_line(const std::string& text) {
    static const std::regex bytes(R"(!bytes (\d+) (\S))");
    std::smatch m;
    if (std::regex_match(text, m, bytes))
      return std::string(std::stoul(m[1]), m[2].str()[0]) + "\n";
    return text + "\n";
  }

  // $NAME in a request becomes the value `! remember` stored (a string without its quotes).
  std::string substitute(std::string text) const {
    for (const auto& [name, value] : variables_) {
      const std::string token = "$" + name;
      const std::string replacement = value.is_string() ? value.get<std::string>() : value.dump();
      for (std::size_t at = text.find(token); at != std::string::npos;
           at = text.find(token, at + replacement.size())) {
        text.replace(at, token.size(), replacement);
      }
    }
    return text;
  }

  void flush(std::string& batch) {
    const Status st = current().client->send_raw(batch);
    batch.clear();
    ASSERT_TRUE(st.ok()) << st.message();
  }

  void directive(const std::string& text) {
    if (text.rfind("config ", 0) == 0 || text == "device unreachable") return;  // wiring: done
    if (text.rfind("sim ", 0) == 0) {
      const auto reply = rig_.sim(nlohmann::json::parse(text.substr(4)));
      ASSERT_EQ(reply.value("ok", false), true) << text << ": " << reply.dump();
    } else if (text.rfind("wait ", 0) == 0) {
      wait(text.substr(5));
    } else if (text == "restart with an unusable history") {
      // The history database path becomes a directory: SQLite cannot open it.
      rig_.kill_daemon();
      const std::string db = rig_.dir() + "/state/history.db";
      std::error_code ec;
      for (const char* suffix : {"", "-wal", "-shm"}) fs::remove_all(db + suffix, ec);
      fs::create_directories(db, ec);
      ASSERT_TRUE(rig_.start_daemon()) << rig_.log();
      rig_.drop_client();
      connections_.clear();
      open(client::RpcClient::connect(rig_.dir() + "/d.sock"));
    } else if (text.rfind("remember ", 0) == 0) {
      remember(text.substr(9));
    } else if (text == "connect") {
      open(client::RpcClient::connect(rig_.dir() + "/d.sock"));
    } else if (text == "close") {
      ASSERT_GT(connections_.size(), 1U) << "! close of the first connection";
      connections_.pop_back();
    } else if (text == "as nobody") {
      if (geteuid() != 0) {
        skipped_ = true;
        GTEST_SKIP() << "needs root to connect as another user (run the suite as root, as CI does)";
      }
      ::chmod(rig_.dir().c_str(), 0755);  // nobody must reach the socket in the rig's directory
      open(connect_as_nobody(rig_.dir() + "/d.sock"));
    } else {
      FAIL() << "unknown directive: ! " << text;
    }
  }

  // The value at a dotted path of the status object, or null.
  static nlohmann::json at_path(nlohmann::json value, const std::string& path) {
    for (std::size_t from = 0; from <= path.size();) {
      const std::size_t dot = std::min(path.find('.', from), path.size());
      const std::string key = path.substr(from, dot - from);
      if (!value.is_object() || !value.contains(key)) return nullptr;
      value = value[key];
      from = dot + 1;
    }
    return value;
  }

  // NAME=PATH: keeps the status object's value at PATH for $NAME in later requests.
  void remember(const std::string& binding) {
    const std::size_t eq = binding.find('=');
    ASSERT_NE(eq, std::string::npos) << "bad remember: " << binding;
    auto side = client::RpcClient::connect(rig_.dir() + "/d.sock");
    ASSERT_TRUE(side.ok()) << side.status().message();
    auto r = (*side)->call("status.get", nlohmann::json::object(), 2000);
    ASSERT_TRUE(r.ok() && !r->error) << "status.get failed";
    const nlohmann::json value = at_path(r->result, binding.substr(eq + 1));
    ASSERT_FALSE(value.is_null()) << "nothing at " << binding.substr(eq + 1) << " in "
                                  << r->result.dump();
    variables_[binding.substr(0, eq)] = value;
  }

  // PATH=VALUE, PATH>NUMBER or PATH~TEXT (contains) on the status object, polled on a side
  // connection.
  void wait(const std::string& condition) {
    static const std::regex form(R"(([\w.]+)([=>~])(.+))");
    std::smatch m;
    ASSERT_TRUE(std::regex_match(condition, m, form)) << "bad wait: " << condition;
    const std::string path = m[1];
    const char op = m[2].str()[0];
    const std::string want = m[3];
    auto side = client::RpcClient::connect(rig_.dir() + "/d.sock");
    ASSERT_TRUE(side.ok()) << side.status().message();
    nlohmann::json seen;
    const bool held = wait_until(
        [&] {
          auto r = (*side)->call("status.get", nlohmann::json::object(), 2000);
          if (!r || r->error) return false;
          seen = at_path(r->result, path);
          if (op == '>') return seen.is_number() && seen.get<double>() > std::stod(want);
          if (op == '~')
            return seen.is_string() && seen.get<std::string>().find(want) != std::string::npos;
          return seen.is_string() ? seen.get<std::string>() == want : seen.dump() == want;
        },
        std::chrono::seconds(20));
    ASSERT_TRUE(held) << "waited 20 s for " << condition << "; last seen " << seen.dump() << "\n"
                      << rig_.log();
  }

  void expect(Step& step) {
    const nlohmann::json expected = nlohmann::json::parse(step.text);
    Connection& c = current();
    std::string line;
    for (auto it = c.unclaimed.begin(); it != c.unclaimed.end(); ++it) {
      if (claims(expected, nlohmann::json::parse(*it, nullptr, false))) {
        line = *it;
        c.unclaimed.erase(it);
        break;
      }
    }
    while (line.empty()) {
      auto got = c.client->read_line(8000);
      ASSERT_TRUE(got.ok()) << "waiting for << " << step.text << ": " << got.status().message();
      const nlohmann::json actual = nlohmann::json::parse(*got, nullptr, false);
      if (claims(expected, actual)) {
        line = *got;
      } else {
        c.unclaimed.push_back(*got);
      }
    }
    if (recording()) {
      step.text = line;
      return;
    }
    EXPECT_EQ(normalize(expected).dump(2), normalize(nlohmann::json::parse(line)).dump(2))
        << "request/response pair differs from the golden transcript";
  }

  Rig& rig_;
  std::vector<Step>& steps_;
  std::vector<Connection> connections_;
  std::map<std::string, nlohmann::json> variables_;
  bool skipped_ = false;
};

class GoldenTranscript : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTranscript, replays_against_the_real_daemon) {
  const std::string file = kTranscripts + "/" + GetParam();
  std::vector<Step> steps = parse_transcript(read_file(file));
  // Leading directives say how to wire the rig.
  RigOptions options;
  options.config = source_path("tests/golden/inversion.json");
  for (const Step& step : steps) {
    if (step.kind != Step::Kind::directive) break;
    if (step.text.rfind("config ", 0) == 0)
      options.config = source_path("tests/golden/" + step.text.substr(7));
    if (step.text == "device unreachable") {
      options.tcp_uri = [](int) {
        return std::string("tcp://127.0.0.1:9?unit=1");
      };  // nobody listens
      options.wait_for_device = false;
    }
  }
  Rig rig("inversion", options);
  ASSERT_TRUE(options.wait_for_device ? rig.ready() : !rig.status().empty()) << rig.log();
  rig.drop_client();  // the transcript's connections are the only ones
  Replay replay(rig, steps);
  replay.run();
  if (recording() && !replay.skipped() && !HasFailure()) {
    std::ofstream(file) << render_transcript(steps);
  }
}

INSTANTIATE_TEST_SUITE_P(Protocol, GoldenTranscript, ::testing::ValuesIn(transcript_names()),
                         [](const auto& info) {
                           std::string name = info.param.substr(0, info.param.size() - 4);
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// docs/protocol.md shows transcripts between `<!-- golden: NAME -->` and the end of the next
// fenced block; they must be the files, byte for byte.
TEST(GoldenDocs, protocol_examples_are_the_golden_transcripts) {
  // Plain string search: std::regex recurses once per character of a match, and a transcript
  // block is long enough to overflow the stack (seen under ASan).
  const std::string docs = read_file(kDocs);
  const std::string marker = "<!-- golden: ";
  const std::string fence = "```\n";
  std::string rewritten;
  std::size_t shown = 0;
  std::size_t from = 0;
  for (std::size_t at = docs.find(marker); at != std::string::npos; at = docs.find(marker, from)) {
    const std::size_t name_end = docs.find(" -->\n", at);
    ASSERT_NE(name_end, std::string::npos) << "unterminated golden marker in docs/protocol.md";
    const std::string name = docs.substr(at + marker.size(), name_end - at - marker.size());
    const std::size_t open = name_end + 5;
    ASSERT_EQ(docs.compare(open, fence.size(), fence), 0) << "no fenced block after " << name;
    const std::size_t body = open + fence.size();
    const std::size_t close = docs.find(fence, body);
    ASSERT_NE(close, std::string::npos) << "unterminated block of " << name;
    ++shown;
    const std::string file = read_file(kTranscripts + "/" + name);
    ASSERT_FALSE(file.empty()) << "docs/protocol.md shows a transcript that does not exist: "
                               << name;
    if (!recording()) {
      EXPECT_EQ(docs.substr(body, close - body), file)
          << "docs/protocol.md's copy of " << name << " is stale";
    }
    rewritten += docs.substr(from, body - from) + file + fence;
    from = close + fence.size();
  }
  rewritten += docs.substr(from);
  if (recording()) std::ofstream(kDocs) << rewritten;
  EXPECT_GE(shown, 5U) << "docs/protocol.md should show the golden transcripts";
}

// Every method rpc.describe lists, and every error reason of the docs' table that a client can
// provoke, occurs in some transcript.
TEST(GoldenCoverage, every_method_and_error_has_a_transcript) {
  std::set<std::string> sent_methods;
  std::set<std::string> seen_reasons;
  std::set<std::string> described_methods;
  for (const std::string& name : transcript_names()) {
    for (const Step& step : parse_transcript(read_file(kTranscripts + "/" + name))) {
      const auto j = nlohmann::json::parse(step.text, nullptr, false);
      if (!j.is_object()) continue;
      if (step.kind == Step::Kind::send && j.contains("method"))
        sent_methods.insert(j["method"].get<std::string>());
      if (step.kind != Step::Kind::expect) continue;
      if (j.contains("error")) seen_reasons.insert(j["error"]["data"].value("reason", ""));
      if (j.contains("result") && j["result"].contains("methods")) {
        for (const auto& m : j["result"]["methods"])
          described_methods.insert(m["name"].get<std::string>());
      }
    }
  }
  ASSERT_FALSE(described_methods.empty()) << "no transcript records rpc.describe";
  for (const auto& m : described_methods)
    EXPECT_TRUE(sent_methods.count(m)) << "no transcript calls " << m;

  // internal_error is a bug, not a behaviour. data_stale refuses a start only in the quarter second
  // before the monitor latches a data_stale fault, after which a start gets device_fault (07-faults
  // shows that message); no transcript can aim at that window.
  // not_at_home refuses a self-test only in the half second before an idle axis away from home
  // starts a recovery (then the refusal is session_active).
  const std::set<std::string> unprovokable = {"internal_error", "data_stale", "not_at_home"};
  static const std::regex row(R"(\| -32\d\d\d \| `(\w+)` \|)");
  const std::string docs = read_file(kDocs);
  std::size_t rows = 0;
  for (auto it = std::sregex_iterator(docs.begin(), docs.end(), row); it != std::sregex_iterator();
       ++it) {
    ++rows;
    const std::string reason = (*it)[1];
    if (unprovokable.count(reason) == 0) {
      EXPECT_TRUE(seen_reasons.count(reason)) << "no transcript shows " << reason;
    }
  }
  EXPECT_GT(rows, 20U) << "the error table of docs/protocol.md was not found";
}

}  // namespace
}  // namespace traction::golden
