// Figures of the time-series store benchmark: repeated timings kept per
// figure, reported as medians in a table on stdout and, on request, as JSON.
//
//   Report report;
//   report.add("ingest", "add_many, batches of 10,000", "samples/s", rate);
//   report.print_table(std::cout);
#pragma once

#include <algorithm>
#include <chrono>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace redkit::bench {

struct Figure {
  std::string section;
  std::string name;
  std::string unit;
  std::vector<double> values{};
  // Free text: the aim, the ratio to a baseline, what was checked.
  std::string note{};

  double median() const {
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    if (sorted.empty()) return 0;
    const std::size_t mid = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
  double min() const { return values.empty() ? 0 : *std::min_element(values.begin(), values.end()); }
  double max() const { return values.empty() ? 0 : *std::max_element(values.begin(), values.end()); }
};

class Report {
 public:
  // The figure named so in section, created on first use.
  Figure& figure(const std::string& section, const std::string& name, const std::string& unit) {
    for (Figure& f : figures_) {
      if (f.section == section && f.name == name) return f;
    }
    figures_.push_back(Figure{section, name, unit});
    return figures_.back();
  }
  void add(const std::string& section, const std::string& name, const std::string& unit, double value) {
    figure(section, name, unit).values.push_back(value);
  }
  void note(const std::string& section, const std::string& name, const std::string& unit, std::string text) {
    figure(section, name, unit).note = std::move(text);
  }
  const Figure* find(const std::string& section, const std::string& name) const {
    for (const Figure& f : figures_) {
      if (f.section == section && f.name == name) return &f;
    }
    return nullptr;
  }
  double median(const std::string& section, const std::string& name) const {
    const Figure* f = find(section, name);
    return f == nullptr ? 0 : f->median();
  }

  void print_table(std::ostream& out) const {
    std::string section;
    for (const Figure& f : figures_) {
      if (f.section != section) {
        section = f.section;
        out << fmt::format("\n[{}]\n{:<58} {:>14} {:>14} {:>14} {:>4}  {}\n", section, "figure", "median", "min",
                           "max", "n", "unit / note");
      }
      out << fmt::format("{:<58} {:>14.6g} {:>14.6g} {:>14.6g} {:>4}  {}{}{}\n", f.name, f.median(), f.min(),
                         f.max(), f.values.size(), f.unit, f.note.empty() ? "" : "  ", f.note);
    }
  }

  void write_json(const std::string& path) const {
    std::ofstream out(path);
    out << "[\n";
    for (std::size_t i = 0; i < figures_.size(); ++i) {
      const Figure& f = figures_[i];
      out << fmt::format(R"(  {{"section":"{}","name":"{}","unit":"{}","median":{},"min":{},"max":{},"values":[{}],"note":"{}"}})",
                         escape(f.section), escape(f.name), escape(f.unit), f.median(), f.min(), f.max(),
                         fmt::join(f.values, ","), escape(f.note))
          << (i + 1 < figures_.size() ? ",\n" : "\n");
    }
    out << "]\n";
  }

 private:
  static std::string escape(const std::string& text) {
    std::string out;
    for (char c : text) {
      if (c == '"' || c == '\\') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    return out;
  }

  std::vector<Figure> figures_;
};

// Wall time of f() in seconds.
template <class F>
double time_seconds(F&& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace redkit::bench
