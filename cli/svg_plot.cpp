// SPDX-License-Identifier: Apache-2.0
#include "cli/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <vector>

#include "cli/progress_view.hpp"

namespace traction::ctl {
namespace {

using nlohmann::json;

constexpr double kWidth = 1000.0;
constexpr double kHeight = 520.0;
constexpr double kLeft = 70.0;
constexpr double kRight = 20.0;
constexpr double kTop = 70.0;
constexpr double kBottom = 60.0;

struct Sample {
  double t;
  double target;
  double actual;
  int phase;  // -1: after the session ended
};

// Soft fills by phase kind: a reader sees the program's shape before reading a label.
const std::map<std::string, std::string> kPhaseFill = {
    {"pretension", "#e8e0f4"}, {"ramp", "#dcebfa"},    {"hold", "#dcf2dc"},
    {"rest", "#eeeeee"},       {"release", "#fbe6cf"}, {"after end", "#f8d8d8"}};

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string num(double v) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(1);
  s << v;
  return s.str();
}

// A round step giving about `count` ticks over `span`.
double tick_step(double span, int count) {
  const double raw = span / count;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * magnitude >= raw) return m * magnitude;
  }
  return 10.0 * magnitude;
}

std::vector<Sample> samples_of(const json& session) {
  std::vector<Sample> out;
  const json rows = session.value("samples", json::object()).value("rows", json::array());
  for (const auto& r : rows) {
    if (!r.is_array() || r.size() < 5 || !r[0].is_number()) continue;
    out.push_back({r[0].get<double>(), r[1].get<double>(), r[2].get<double>(),
                   r[4].is_number() ? r[4].get<int>() : -1});
  }
  return out;
}

double seconds_between(const std::string& from, const std::string& to) {
  // Both are "YYYY-MM-DDTHH:MM:SS.fffZ" of the same session: compare within the day.
  auto secs = [](const std::string& t) {
    if (t.size() < 19) return 0.0;
    return std::stod(t.substr(11, 2)) * 3600 + std::stod(t.substr(14, 2)) * 60 +
           std::stod(t.substr(17, t.size() > 20 ? 6 : 2));
  };
  double d = secs(to) - secs(from);
  if (d < -43200) d += 86400;  // across midnight
  return d;
}

class Chart {
 public:
  Chart(double t_max, double y_min, double y_max) : t_max_(t_max), y_min_(y_min), y_max_(y_max) {}
  double x(double t) const { return kLeft + (kWidth - kLeft - kRight) * t / t_max_; }
  double y(double v) const {
    return kTop + (kHeight - kTop - kBottom) * (1.0 - (v - y_min_) / (y_max_ - y_min_));
  }
  double t_max() const { return t_max_; }
  double y_min() const { return y_min_; }
  double y_max() const { return y_max_; }

 private:
  double t_max_, y_min_, y_max_;
};

void draw_phases(std::ostream& svg, const Chart& c, const std::vector<Sample>& samples,
                 const json& phases) {
  std::size_t i = 0;
  while (i < samples.size()) {
    std::size_t j = i;
    while (j < samples.size() && samples[j].phase == samples[i].phase) ++j;
    const double t0 = samples[i].t;
    const double t1 = j < samples.size() ? samples[j].t : samples[j - 1].t;
    std::string kind = "after end";
    std::string label = "after end";
    const int p = samples[i].phase;
    if (p >= 0 && phases.is_array() && static_cast<std::size_t>(p) < phases.size()) {
      kind = phases[p].value("kind", "ramp");
      label = phases[p].value("label", kind);
    }
    const auto fill = kPhaseFill.count(kind) ? kPhaseFill.at(kind) : std::string("#f4f4f4");
    svg << "<rect x=\"" << num(c.x(t0)) << "\" y=\"" << kTop << "\" width=\""
        << num(std::max(0.5, c.x(t1) - c.x(t0))) << "\" height=\"" << kHeight - kTop - kBottom
        << "\" fill=\"" << fill << "\"><title>" << escape(label) << " (" << num(t0) << "–"
        << num(t1) << " s)</title></rect>\n";
    if (c.x(t1) - c.x(t0) > 40) {
      svg << "<text x=\"" << num((c.x(t0) + c.x(t1)) / 2) << "\" y=\"" << kTop + 14
          << "\" font-size=\"11\" fill=\"#555\" text-anchor=\"middle\">" << escape(kind)
          << "</text>\n";
    }
    i = j;
  }
}

void draw_axes(std::ostream& svg, const Chart& c, const std::string& unit) {
  const double ystep = tick_step(c.y_max() - c.y_min(), 6);
  for (double v = std::ceil(c.y_min() / ystep) * ystep; v <= c.y_max() + 1e-9; v += ystep) {
    svg << "<line x1=\"" << kLeft << "\" x2=\"" << kWidth - kRight << "\" y1=\"" << num(c.y(v))
        << "\" y2=\"" << num(c.y(v)) << "\" stroke=\"#ccc\" stroke-width=\"0.5\"/>\n"
        << "<text x=\"" << kLeft - 8 << "\" y=\"" << num(c.y(v) + 4)
        << "\" font-size=\"12\" text-anchor=\"end\">" << num(v) << "</text>\n";
  }
  const double tstep = tick_step(c.t_max(), 10);
  for (double t = 0; t <= c.t_max() + 1e-9; t += tstep) {
    svg << "<text x=\"" << num(c.x(t)) << "\" y=\"" << kHeight - kBottom + 18
        << "\" font-size=\"12\" text-anchor=\"middle\">" << num(t) << "</text>\n";
  }
  svg << "<rect x=\"" << kLeft << "\" y=\"" << kTop << "\" width=\"" << kWidth - kLeft - kRight
      << "\" height=\"" << kHeight - kTop - kBottom << "\" fill=\"none\" stroke=\"#888\"/>\n"
      << "<text x=\"" << (kLeft + kWidth - kRight) / 2 << "\" y=\"" << kHeight - 18
      << "\" font-size=\"13\" text-anchor=\"middle\">time (s)</text>\n"
      << "<text x=\"18\" y=\"" << (kTop + kHeight - kBottom) / 2
      << "\" font-size=\"13\" text-anchor=\"middle\" transform=\"rotate(-90 18 "
      << (kTop + kHeight - kBottom) / 2 << ")\">" << escape(unit) << "</text>\n";
}

void draw_line(std::ostream& svg, const Chart& c, const std::vector<Sample>& samples, bool target,
               const char* style) {
  svg << "<polyline fill=\"none\" " << style << " points=\"";
  for (const Sample& s : samples) {
    svg << num(c.x(s.t)) << "," << num(c.y(target ? s.target : s.actual)) << " ";
  }
  svg << "\"/>\n";
}

// Events other than phase changes (the shading shows those) as labelled vertical marks.
void draw_events(std::ostream& svg, const Chart& c, const json& session) {
  const std::string started = session.value("started_utc", "");
  int row = 0;
  for (const auto& e : session.value("events", json::array())) {
    const std::string kind = e.value("kind", "");
    const json detail = e.value("detail", json::object());
    std::string label = kind;
    if (kind == "phase_changed" || kind == "session_started") continue;
    if (kind == "state_changed") {
      const std::string to = detail.value("to", "");
      if (to != "paused" && !(to == "running" && detail.value("from", "") == "paused")) continue;
      label = to == "paused" ? "paused" : "resumed";
    }
    if (kind == "session_ended") label = "ended: " + detail.value("outcome", "?");
    const double t =
        std::clamp(seconds_between(started, e.value("time_utc", started)), 0.0, c.t_max());
    const double y_label = kTop - 6 - 12 * (row++ % 2);
    svg << "<line x1=\"" << num(c.x(t)) << "\" x2=\"" << num(c.x(t)) << "\" y1=\"" << y_label + 2
        << "\" y2=\"" << kHeight - kBottom
        << "\" stroke=\"#c0392b\" stroke-width=\"1.2\" stroke-dasharray=\"2,2\"/>\n"
        << "<text x=\"" << num(c.x(t) + 3) << "\" y=\"" << y_label
        << "\" font-size=\"11\" fill=\"#c0392b\">" << escape(label) << "<title>"
        << escape(e.value("time_utc", "") + " " + detail.dump()) << "</title></text>\n";
  }
}

std::string summary(const json& session) {
  std::ostringstream s;
  auto text = [&](const char* key) {
    return session.contains(key) && session[key].is_string() ? session[key].get<std::string>()
                                                             : std::string("?");
  };
  const std::string unit = text("unit");
  s << text("started_utc");
  if (session.contains("duration_seconds") && session["duration_seconds"].is_number()) {
    s << " · " << client::format_seconds(session["duration_seconds"].get<double>());
  }
  if (session.contains("peak") && session["peak"].is_number()) {
    s << " · peak " << num(session["peak"].get<double>()) << " " << unit;
  }
  if (session.contains("time_at_target_seconds") && session["time_at_target_seconds"].is_number()) {
    s << " · at target " << num(session["time_at_target_seconds"].get<double>()) << " s";
  }
  if (session.contains("comfort_before") && session["comfort_before"].is_number()) {
    s << " · comfort " << session["comfort_before"].get<int>() << " → "
      << (session["comfort_after"].is_number() ? std::to_string(session["comfort_after"].get<int>())
                                               : std::string("?"));
  }
  return s.str();
}

}  // namespace

std::string session_svg(const json& session) {
  const std::vector<Sample> samples = samples_of(session);
  const json plan = session.value("plan", json::object());
  const json phases = plan.is_object() ? plan.value("phases", json::array()) : json::array();
  const std::string unit = session.contains("unit") && session["unit"].is_string()
                               ? session["unit"].get<std::string>()
                               : "";
  double t_max = 1.0;
  double y_min = 0.0;
  double y_max = 1.0;
  for (const Sample& s : samples) {
    t_max = std::max(t_max, s.t);
    y_min = std::min({y_min, s.target, s.actual});
    y_max = std::max({y_max, s.target, s.actual});
  }
  const double pad = 0.08 * (y_max - y_min);
  const Chart c(t_max, y_min - (y_min < 0 ? pad : 0.0), y_max + pad);

  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\"" << kHeight
      << "\" viewBox=\"0 0 " << kWidth << " " << kHeight
      << "\" font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << kLeft << "\" y=\"22\" font-size=\"16\" font-weight=\"bold\">"
      << escape(session.value("program", "?") + " — " + session.value("id", "?") + " — " +
                (session["outcome"].is_string() ? session["outcome"].get<std::string>()
                                                : "unfinished"))
      << "</text>\n<text x=\"" << kLeft << "\" y=\"40\" font-size=\"12\" fill=\"#444\">"
      << escape(summary(session)) << "</text>\n";
  draw_phases(svg, c, samples, phases);
  draw_axes(svg, c, unit);
  if (samples.empty()) {
    svg << "<text x=\"" << kWidth / 2 << "\" y=\"" << kHeight / 2
        << "\" text-anchor=\"middle\" fill=\"#888\">no samples recorded</text>\n";
  } else {
    draw_line(svg, c, samples, true,
              "stroke=\"#1f77b4\" stroke-width=\"1.5\" stroke-dasharray=\"6,3\"");
    draw_line(svg, c, samples, false, "stroke=\"#222\" stroke-width=\"2\"");
  }
  draw_events(svg, c, session);
  // Legend.
  const double lx = kWidth - kRight - 190;
  svg << "<g font-size=\"12\"><line x1=\"" << lx << "\" x2=\"" << lx + 24
      << "\" y1=\"48\" y2=\"48\""
      << " stroke=\"#1f77b4\" stroke-width=\"1.5\" stroke-dasharray=\"6,3\"/><text x=\"" << lx + 28
      << "\" y=\"52\">target</text><line x1=\"" << lx + 80 << "\" x2=\"" << lx + 104
      << "\" y1=\"48\" y2=\"48\" stroke=\"#222\" stroke-width=\"2\"/><text x=\"" << lx + 108
      << "\" y=\"52\">actual</text></g>\n</svg>\n";
  return svg.str();
}

}  // namespace traction::ctl
