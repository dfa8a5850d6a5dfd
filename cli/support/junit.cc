#include "support/junit.h"

#include <cstdio>
#include <fstream>

namespace reagent::cli {

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 allows tab, newline and carriage return among the control characters.
        if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') break;
        out += c;
    }
  }
  return out;
}

std::string JUnitXml(const std::string& suite_name, const std::vector<JUnitCase>& cases) {
  int failures = 0;
  double total = 0;
  for (const auto& c : cases) {
    failures += c.passed ? 0 : 1;
    total += c.seconds;
  }
  char time_buf[32];
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  std::snprintf(time_buf, sizeof time_buf, "%.3f", total);
  xml += "<testsuites>\n  <testsuite name=\"" + XmlEscape(suite_name) + "\" tests=\"" +
         std::to_string(cases.size()) + "\" failures=\"" + std::to_string(failures) +
         "\" errors=\"0\" time=\"" + time_buf + "\">\n";
  for (const auto& c : cases) {
    std::snprintf(time_buf, sizeof time_buf, "%.3f", c.seconds);
    xml += "    <testcase name=\"" + XmlEscape(c.name) + "\" classname=\"" +
           XmlEscape(c.classname) + "\" time=\"" + time_buf + "\"";
    if (c.passed) {
      xml += "/>\n";
    } else {
      xml += ">\n      <failure message=\"" + XmlEscape(c.failure) + "\">" + XmlEscape(c.failure) +
             "</failure>\n    </testcase>\n";
    }
  }
  xml += "  </testsuite>\n</testsuites>\n";
  return xml;
}

Status WriteJUnitFile(const std::string& path, const std::string& suite_name,
                      const std::vector<JUnitCase>& cases) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::IOError("cannot write JUnit report " + path);
  out << JUnitXml(suite_name, cases);
  out.close();
  if (!out) return Status::IOError("cannot write JUnit report " + path);
  return Status::Ok();
}

}  // namespace reagent::cli
