// SPDX-License-Identifier: Apache-2.0
#include "web/browser_relay.hpp"

#include <spdlog/spdlog.h>

#include "web/page_message.hpp"

namespace traction::web {
namespace {

// A history with its samples is the largest reply; the daemon's own lines are far below this.
constexpr std::size_t kMaxDaemonLine = 16 << 20;

std::string request_line(const char* id, const char* method, const nlohmann::json& params) {
  return nlohmann::json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}}
      .dump();
}

// The daemon's reply to an estop, re-addressed to the page's id.
std::string estop_reply_for_page(const nlohmann::json& id, const nlohmann::json& reply) {
  nlohmann::json out = reply;
  out["jsonrpc"] = "2.0";
  out["id"] = id;
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

BrowserRelay::BrowserRelay(PanelContext& context, Identity who)
    : context_(context),
      browsers_(context.browsers),
      who_(std::move(who)),
      bucket_(context.config.limits.messages_per_second, context.config.limits.message_burst) {
  ++*browsers_;
}

BrowserRelay::~BrowserRelay() {
  --*browsers_;
}

void BrowserRelay::on_open(std::weak_ptr<PageSink> sink) {
  sink_ = std::move(sink);
  std::weak_ptr<BrowserRelay> weak = weak_from_this();
  link_ = DaemonLink::create(context_.io, context_.config.socket_path, kMaxDaemonLine,
                             {[weak](const std::string& line) {
                                if (auto self = weak.lock()) self->on_daemon_line(line);
                              },
                              [weak](const std::string& why) {
                                if (auto self = weak.lock()) self->close_page("tractiond: " + why);
                              }});
  // Lowered before anything else is sent on it: the page's first request already has its role.
  link_->send(request_line("relay:lower", "connection.lower_role", {{"role", who_.role}}));
  link_->send(request_line("relay:info", "daemon.info", nlohmann::json::object()));
  link_->open([weak](const std::string& error) {
    auto self = weak.lock();
    if (self && !error.empty()) self->close_page("tractiond is not reachable");
    if (self && !error.empty()) spdlog::warn("page {}: {}", self->who_.describe(), error);
  });
}

void BrowserRelay::on_close() {
  if (link_) link_->close();
}

void BrowserRelay::on_message(std::string_view text) {
  PageCheck check = check_page_message(text, context_.config.limits.max_message_bytes);
  if (check.refusal) return send_to_page(std::move(check.refusal->reply));
  const PageCall& call = *check.call;
  if (call.method == "device.estop") return relay_estop(call.id, call.notification);
  if (!bucket_.take(TokenBucket::Clock::now())) {
    if (!call.notification) {
      send_to_page(relay_error(
          call.id, -32051, relay_reason::kTooManyRequests,
          "more than " +
              std::to_string(static_cast<int>(context_.config.limits.messages_per_second)) +
              " messages per second from this page"));
    }
    return;
  }
  if (!ready_) {
    if (!call.notification) {
      send_to_page(
          relay_error(call.id, -32054, relay_reason::kNotReady,
                      "the connection to tractiond is being set up; wait for panel.hello"));
    }
    return;
  }
  link_->send(call.line);
}

void BrowserRelay::relay_estop(const nlohmann::json& id, bool notification) {
  std::weak_ptr<BrowserRelay> weak = weak_from_this();
  context_.estop->estop(who_.describe(), [weak, id, notification](const nlohmann::json& reply) {
    auto self = weak.lock();
    if (self && !notification) self->send_to_page(estop_reply_for_page(id, reply));
  });
}

void BrowserRelay::on_daemon_line(const std::string& line) {
  if (!ready_ && line.find("\"relay:") != std::string::npos) {
    const nlohmann::json reply = nlohmann::json::parse(line, nullptr, false);
    const nlohmann::json id = reply.is_object() ? reply.value("id", nlohmann::json()) : nullptr;
    if (id.is_string() && id.get<std::string>().rfind("relay:", 0) == 0) {
      return on_setup_reply(id.get<std::string>(), reply);
    }
  }
  send_to_page(line);
}

void BrowserRelay::on_setup_reply(const std::string& step, const nlohmann::json& reply) {
  if (step == "relay:lower") {
    const std::string reason =
        reply.contains("error")
            ? reply["error"].value("data", nlohmann::json::object()).value("reason", "")
            : "";
    // role_not_lower: tractiond-web's own connection is below the user's role; it stays there.
    if (!reason.empty() && reason != "role_not_lower") {
      spdlog::error("page {}: connection.lower_role failed ({}); closing", who_.describe(),
                    reply.dump());
      close_page("tractiond refused to lower the connection's role");
    }
    return;
  }
  const nlohmann::json caller =
      reply.value("result", nlohmann::json::object()).value("caller", nlohmann::json::object());
  effective_role_ = caller.value("role", "none");
  ready_ = true;
  spdlog::info("page {} connected; the daemon gives it the role {}", who_.describe(),
               effective_role_);
  send_to_page(relay_notification("panel.hello", {{"user", who_.user},
                                                  {"role", effective_role_},
                                                  {"login", who_.login},
                                                  {"kiosk", who_.kiosk}}));
}

void BrowserRelay::send_to_page(std::string text) {
  if (auto sink = sink_.lock()) sink->send_text(std::move(text));
}

void BrowserRelay::close_page(const std::string& why) {
  ready_ = false;
  if (link_) link_->close();
  if (auto sink = sink_.lock()) sink->close_page(why);
}

void StopRelay::on_message(std::string_view text) {
  PageCheck check = check_page_message(text, 1024);
  auto sink = sink_.lock();
  if (check.refusal) {
    if (sink) sink->send_text(std::move(check.refusal->reply));
    return;
  }
  const PageCall& call = *check.call;
  if (call.method != "device.estop") {
    if (sink && !call.notification) {
      sink->send_text(relay_error(call.id, -32600, relay_reason::kStopOnly,
                                  "this socket carries device.estop only"));
    }
    return;
  }
  context_.estop->estop(who_.describe(), [weak = sink_, call](const nlohmann::json& reply) {
    auto page = weak.lock();
    if (page && !call.notification) page->send_text(estop_reply_for_page(call.id, reply));
  });
}

}  // namespace traction::web
