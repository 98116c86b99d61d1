#include "csvwriter.h"

#include <charconv>
#include <vector>

namespace il {
namespace {

void append_micros(std::string &out, std::int64_t ns)
{
    if (ns < 0) {
        out += '-';
        ns = -ns;
    }
    char text[24];
    const auto r = std::to_chars(text, text + sizeof text, ns / 1000);
    out.append(text, r.ptr);
    const char frac[4] = {'.', char('0' + ns / 100 % 10), char('0' + ns / 10 % 10),
                          char('0' + ns % 10)};
    out.append(frac, 4);
}

} // namespace

std::string csv_field(std::string_view text)
{
    const bool quote = text.find_first_of(",\"\r\n") != std::string_view::npos ||
                       (!text.empty() && (text.front() == ' ' || text.front() == '\t' ||
                                          text.back() == ' ' || text.back() == '\t'));
    if (!quote)
        return std::string(text);
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + '"';
}

bool write_csv(std::ostream &out, const Timeline &timeline)
{
    std::string buf = "lane,state,resource,start_us,end_us\n";
    std::vector<std::string> states;
    for (std::size_t s = 0; s < std::size_t(State::Count); ++s)
        states.push_back(csv_field(state_name(State(s))));
    for (const auto &lane : timeline.lanes()) {
        const std::string name = csv_field(lane.name);
        ResourceId lastRes = kNoResource;
        std::string resText;
        for (std::size_t i = 0; i < lane.segments.size(); ++i) {
            const Segment &s = lane.segments[i];
            if (s.resource != lastRes || i == 0) {
                lastRes = s.resource;
                resText = csv_field(timeline.resource_name(s.resource));
            }
            buf += name;
            buf += ',';
            buf += states[std::size_t(s.state)];
            buf += ',';
            buf += resText;
            buf += ',';
            append_micros(buf, s.startNs);
            buf += ',';
            append_micros(buf, timeline.segment_end(lane, i));
            buf += '\n';
            if (buf.size() >= (1u << 20)) {
                out.write(buf.data(), std::streamsize(buf.size()));
                buf.clear();
            }
        }
    }
    out.write(buf.data(), std::streamsize(buf.size()));
    out.flush();
    return bool(out);
}

} // namespace il
