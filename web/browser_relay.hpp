// SPDX-License-Identifier: Apache-2.0
// One page's relay (/ws): its own connection to the daemon, lowered to the page's role with
// connection.lower_role before the page may send anything, so the daemon enforces every role.
// Page messages are checked (size, shape, rate) and passed on; the daemon's lines go back as
// they come. device.estop never takes this path's queue: it goes to the EstopService at once.
#pragma once

#include <memory>

#include "web/daemon_link.hpp"
#include "web/panel_context.hpp"
#include "web/token_bucket.hpp"

namespace traction::web {

class BrowserRelay : public PageHandler, public std::enable_shared_from_this<BrowserRelay> {
 public:
  BrowserRelay(PanelContext& context, Identity who);
  ~BrowserRelay() override;

  void on_open(std::weak_ptr<PageSink> sink) override;
  void on_message(std::string_view text) override;
  void on_close() override;

 private:
  void on_daemon_line(const std::string& line);
  // Replies to the relay's own setup requests (ids "relay:lower", "relay:info").
  void on_setup_reply(const std::string& step, const nlohmann::json& reply);
  void send_to_page(std::string text);
  void close_page(const std::string& why);
  void relay_estop(const nlohmann::json& id, bool notification);

  PanelContext& context_;
  std::shared_ptr<std::size_t> browsers_;
  Identity who_;
  std::weak_ptr<PageSink> sink_;
  std::shared_ptr<DaemonLink> link_;
  TokenBucket bucket_;
  bool ready_ = false;  // the daemon connection has the page's role
  std::string effective_role_;
};

// The STOP path of a page (/ws/stop): device.estop only, each sent at once through the
// EstopService; a small socket that never carries anything large, so nothing queues before it.
class StopRelay : public PageHandler, public std::enable_shared_from_this<StopRelay> {
 public:
  StopRelay(PanelContext& context, Identity who) : context_(context), who_(std::move(who)) {}

  void on_open(std::weak_ptr<PageSink> sink) override { sink_ = std::move(sink); }
  void on_message(std::string_view text) override;
  void on_close() override {}

 private:
  PanelContext& context_;
  Identity who_;
  std::weak_ptr<PageSink> sink_;
};

}  // namespace traction::web
