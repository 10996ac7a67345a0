// SPDX-License-Identifier: Apache-2.0
#include "cli/selftest_command.hpp"

#include <cctype>
#include <iostream>
#include <string>

#include "cli/command_support.hpp"
#include "cli/event_text.hpp"

namespace traction::ctl {
namespace {

using nlohmann::json;

// Asks the person at the terminal; only "y" or "yes" goes on.
bool confirmed() {
  std::cout << "The self-test moves the device and trips its watchdog.\n"
               "Is the device empty, with nobody on it? [y/N] "
            << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  for (char& c : answer) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return answer == "y" || answer == "yes";
}

// A prompt without its countdown ("press ... (27 s left)"): printed again only when it changes.
std::string without_countdown(const std::string& prompt) {
  const std::size_t open = prompt.rfind(" (");
  return open != std::string::npos && prompt.find(" s left)", open) != std::string::npos
             ? prompt.substr(0, open)
             : prompt;
}

}  // namespace

int selftest(const Options& options, const SelfTestOptions& selftest) {
  if (!selftest.yes && !confirmed()) {
    std::cerr << "tractionctl: self-test not started\n";
    return kUsage;
  }
  auto connected = open(options);
  if (!connected.client) return connected.exit_code;
  client::RpcClient& rpc = *connected.client;
  json ignored;
  // Subscribe first, so that no step's event can be missed.
  if (int code = call(rpc, "status.subscribe", {{"rate_hz", 5}, {"events", true}}, ignored);
      code != kOk)
    return code;
  const json params = {{"nobody_on_device", true},
                       {"stop_switch_seconds", selftest.stop_switch_seconds}};
  if (int code = call(rpc, "device.selftest", params, ignored); code != kOk) return code;
  if (!options.json) std::cout << "self-test started" << std::endl;
  std::string last_prompt;
  for (;;) {
    auto next = rpc.next_notification(500);
    if (!next) {
      std::cerr << "tractionctl: lost the daemon during the self-test: " << next.status().message()
                << "\n";
      return kCannotConnect;
    }
    if (!*next) continue;
    const json& message = **next;
    const json p = message.value("params", json::object());
    if (message.value("method", "") == "status.update") {
      const json progress = p.value("status", json::object()).value("selftest", json());
      if (!progress.is_object() || options.json) continue;
      const std::string prompt = progress.value("prompt", "");
      if (!prompt.empty() && without_countdown(prompt) != last_prompt) {
        last_prompt = without_countdown(prompt);
        std::cout << "  … " << prompt << std::endl;
      }
      continue;
    }
    const std::string kind = p.value("kind", "");
    if (kind == "selftest_step" && !options.json) {
      std::cout << client::event_line(p, "") << std::endl;
    } else if (kind == "selftest_ended") {
      const json detail = p.value("detail", json::object());
      if (options.json) std::cout << detail.dump(2) << std::endl;
      if (!options.json) std::cout << client::event_line(p, "") << std::endl;
      return detail.value("passed", false) ? kOk : kSessionFailed;
    }
  }
}

}  // namespace traction::ctl
