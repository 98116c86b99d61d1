#include "tracewriter.h"
#include "timeline.h"

#include "wakes.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

namespace il {
namespace {

std::string quoted(const std::string &s)
{
    // Names cut short by a reader may end inside a UTF-8 sequence: replace, never throw.
    return Json(s).dump(-1, ' ', false, Json::error_handler_t::replace);
}

// The smallest time of the record, so that the offset can lift it above zero.
std::int64_t earliest(const Timeline &timeline)
{
    std::int64_t t = 0;
    for (const auto &lane : timeline.lanes()) {
        if (!lane.segments.empty())
            t = std::min(t, lane.segments.front().startNs);
        if (!lane.marks.empty())
            t = std::min(t, lane.marks.front().tNs);
        if (!lane.holds.empty())
            t = std::min(t, lane.holds.front().tNs);
    }
    for (const auto &[id, series] : timeline.counters())
        if (!series.empty())
            t = std::min(t, series.front().tNs);
    return t;
}

// ns as microseconds with three decimals, as the trace writes times: "118988.392".
std::size_t format_micros(std::int64_t ns, char *out)
{
    char *p = out;
    if (ns < 0) { // only a dur could be, and it never is
        *p++ = '-';
        ns = -ns;
    }
    p = std::to_chars(p, out + 28, ns / 1000).ptr; // out holds at least 32
    *p++ = '.';
    *p++ = char('0' + ns / 100 % 10);
    *p++ = char('0' + ns / 10 % 10);
    *p++ = char('0' + ns % 10);
    return std::size_t(p - out);
}

// The double a reader gets when it parses what format_micros wrote.
double parsed_micros(std::int64_t ns)
{
    char text[32];
    const std::size_t n = format_micros(ns, text);
    double v = 0;
    std::from_chars(text, text + n, v);
    return v;
}

// A slice's duration, shortened by a nanosecond or two where a reader adding ts + dur in
// doubles (as DevTools does) would land past the next slice's ts: it would take the two
// for overlapping and silently drop the next one. Readers of our own format take a
// segment's end from the next segment's start, so nothing is lost on a round trip.
std::int64_t readable_dur(std::int64_t startNs, std::int64_t endNs)
{
    std::int64_t dur = endNs - startNs;
    const double ts = parsed_micros(startNs);
    const double next = parsed_micros(endNs);
    while (dur > 0 && ts + parsed_micros(dur) > next)
        --dur;
    return dur;
}

class Writer {
public:
    Writer(std::ostream &out, const Timeline &timeline, std::int64_t offsetNs)
        : m_out(out)
        , m_timeline(timeline)
        , m_offset(offsetNs)
    {
        for (std::size_t s = 0; s < std::size_t(State::Count); ++s)
            m_states.push_back(quoted(std::string(state_name(State(s)))));
        m_buf.reserve(kFlushBytes + 4096);
    }

    const std::string &resource(ResourceId id)
    {
        const auto [it, added] = m_resNames.try_emplace(id);
        if (added)
            it->second = quoted(m_timeline.resource_name(id));
        return it->second;
    }

    // A metadata line (no time: it is not a real event).
    void meta(std::size_t tid, const char *name, const Json &args)
    {
        m_buf +=
            m_first ? "\n{\"ph\":\"M\",\"pid\":1,\"tid\":" : ",\n{\"ph\":\"M\",\"pid\":1,\"tid\":";
        m_first = false;
        number(std::int64_t(tid));
        m_buf += ",\"name\":\"";
        m_buf += name;
        m_buf += "\",\"cat\":\"__metadata\",\"args\":";
        m_buf += args.dump(-1, ' ', false, Json::error_handler_t::replace);
        end();
    }
    // Starts an event line: {"ph":"X","pid":1,"tid":T,"ts":…
    void begin(const char *ph, std::size_t tid, std::int64_t tNs, const char *scope = nullptr)
    {
        m_buf += m_first ? "\n{\"ph\":\"" : ",\n{\"ph\":\"";
        m_first = false;
        m_buf += ph;
        m_buf += '"';
        if (scope) {
            m_buf += ",\"s\":\"";
            m_buf += scope;
            m_buf += '"';
        }
        m_buf += ",\"pid\":1,\"tid\":";
        number(std::int64_t(tid));
        m_buf += ",\"ts\":";
        micros(tNs + m_offset);
    }
    void micros(std::int64_t ns)
    {
        char text[32];
        m_buf.append(text, format_micros(ns, text));
    }
    std::int64_t offset() const { return m_offset; }
    void number(std::int64_t v)
    {
        char text[24];
        const auto r = std::to_chars(text, text + sizeof text, v);
        m_buf.append(text, r.ptr);
    }
    void raw(const std::string &s) { m_buf += s; }
    void raw(const char *s) { m_buf += s; }
    // Ends an event line; flushes now and then.
    void end()
    {
        m_buf += '}';
        if (m_buf.size() >= kFlushBytes)
            flush();
    }
    void flush()
    {
        m_out.write(m_buf.data(), std::streamsize(m_buf.size()));
        m_buf.clear();
    }
    const std::string &state(State s) const { return m_states[std::size_t(s)]; }

private:
    static constexpr std::size_t kFlushBytes = 1 << 20;
    std::ostream &m_out;
    const Timeline &m_timeline;
    const std::int64_t m_offset;
    std::string m_buf;
    bool m_first = true;
    std::vector<std::string> m_states;
    std::unordered_map<ResourceId, std::string> m_resNames; // quoted, as they are needed
};

void write_lane(Writer &w, const Timeline &timeline, std::size_t index)
{
    const TimelineLane &lane = timeline.lanes()[index];
    const std::size_t tid = index + 1;
    for (std::size_t i = 0; i < lane.segments.size(); ++i) {
        const Segment &s = lane.segments[i];
        w.begin("X", tid, s.startNs);
        w.raw(",\"dur\":");
        w.micros(readable_dur(s.startNs + w.offset(), timeline.segment_end(lane, i) + w.offset()));
        w.raw(",\"name\":");
        w.raw(w.state(s.state));
        w.raw(",\"cat\":\"state\",\"args\":{\"state\":");
        w.raw(w.state(s.state));
        w.raw(",\"resource\":");
        w.raw(w.resource(s.resource));
        w.raw("}");
        w.end();
    }
    for (const Mark &m : lane.marks) {
        w.begin("i", tid, m.tNs, "t");
        w.raw(",\"name\":");
        w.raw(quoted(mark_name(m.value)));
        w.raw(",\"cat\":\"mark\",\"args\":{\"code\":");
        w.number(m.value);
        w.raw(",\"resource\":");
        w.raw(w.resource(m.resource));
        w.raw("}");
        w.end();
    }
    for (const HoldChange &h : lane.holds) {
        const char *what = h.acquired ? "\"acquire\"" : "\"release\"";
        w.begin("i", tid, h.tNs, "t");
        w.raw(",\"name\":");
        w.raw(what);
        w.raw(",\"cat\":\"hold\",\"args\":{\"hold\":");
        w.raw(what);
        w.raw(",\"resource\":");
        w.raw(w.resource(h.resource));
        w.raw("}");
        w.end();
    }
}

bool segment_starts_at(const TimelineLane &lane, std::int64_t t)
{
    const auto it = std::lower_bound(lane.segments.begin(), lane.segments.end(), t,
                                     [](const Segment &s, std::int64_t v) { return s.startNs < v; });
    return it != lane.segments.end() && it->startNs == t;
}

bool hold_changes_at(const TimelineLane &lane, std::int64_t t)
{
    const auto it = std::lower_bound(lane.holds.begin(), lane.holds.end(), t,
                                     [](const HoldChange &h, std::int64_t v) { return h.tNs < v; });
    return it != lane.holds.end() && it->tNs == t;
}

// DevTools binds a flow's "s" and "f" to the first event of the same ts, pid, tid and cat
// (and pairs them by cat, name and id): both ends need such an event of one cat.
const char *flow_cat(const Timeline &timeline, const Wake &wake)
{
    const TimelineLane &from = timeline.lanes()[wake.fromLane];
    const TimelineLane &to = timeline.lanes()[wake.toLane];
    if (segment_starts_at(from, wake.releaseNs) && segment_starts_at(to, wake.acquireNs))
        return "state";
    if (hold_changes_at(from, wake.releaseNs) && hold_changes_at(to, wake.acquireNs))
        return "hold";
    return "wake";
}

void write_flows(Writer &w, const Timeline &timeline, std::int64_t fromNs)
{
    const auto wakes = find_wakes(timeline, fromNs, timeline.end_ns(), kMaxWakes);
    std::int64_t id = 0;
    for (const Wake &wake : wakes) {
        ++id;
        for (const bool start : {true, false}) {
            w.begin(start ? "s" : "f", (start ? wake.fromLane : wake.toLane) + std::size_t(1),
                    start ? wake.releaseNs : wake.acquireNs);
            w.raw(",\"id\":");
            w.number(id);
            w.raw(",\"bp\":\"e\",\"name\":\"wake\",\"cat\":\"");
            w.raw(flow_cat(timeline, wake));
            w.raw("\",\"args\":{\"resource\":");
            w.raw(w.resource(wake.resource));
            w.raw("}");
            w.end();
        }
    }
}

Json metadata(const Timeline &timeline, const RunInfo &info, std::int64_t offsetNs)
{
    Json params = Json::object();
    for (const auto &[key, value] : info.params)
        params[key] = value;
    Json lanes = Json::array();
    for (const auto &lane : timeline.lanes())
        lanes.push_back(lane.name);
    Json deadlock = nullptr;
    if (const auto &cycle = timeline.deadlock())
        deadlock =
            Json{{"t_ns", cycle->tNs}, {"lanes", cycle->lanes}, {"resources", cycle->resources}};
    const auto metrics = info.stats.find("metrics");
    return Json{{"interleave",
                 {{"format", kTraceFormat},
                  {"ts_offset_ns", offsetNs},
                  {"time", "ts and dur are microseconds; t_ns = ts * 1000 - ts_offset_ns"}}},
                {"scenario", info.scenario},
                {"params", params},
                {"seed", info.seed},
                {"lanes", lanes},
                {"resources", timeline.resources()},
                {"end_ns", timeline.end_ns()},
                {"dropped_events", timeline.dropped()},
                {"deadlock", deadlock},
                {"metrics", metrics != info.stats.end() ? *metrics : Json::object()},
                {"stats", info.stats}};
}

} // namespace

bool write_trace(std::ostream &out, const Timeline &timeline, const RunInfo &info)
{
    const std::int64_t first = earliest(timeline);
    const std::int64_t offset = 1000 - first; // the earliest event lands at ts 1.000
    Writer w(out, timeline, offset);
    out << "{\"traceEvents\":[";

    Json process{{"name", info.scenario.empty() ? "Interleave" : "Interleave: " + info.scenario}};
    if (const auto p = info.stats.find("params"); p != info.stats.end())
        process["params"] = *p;
    w.meta(0, "process_name", process);
    for (std::size_t i = 0; i < timeline.lanes().size(); ++i) {
        w.meta(i + 1, "thread_name", Json{{"name", timeline.lanes()[i].name}});
        w.meta(i + 1, "thread_sort_index", Json{{"sort_index", i}});
    }
    for (std::size_t i = 0; i < timeline.lanes().size(); ++i)
        write_lane(w, timeline, i);
    for (const auto &[id, series] : timeline.counters()) {
        const std::string &name = w.resource(id);
        for (const CounterSample &c : series) {
            w.begin("C", 0, c.tNs);
            w.raw(",\"name\":");
            w.raw(name);
            w.raw(",\"cat\":\"counter\",\"args\":{\"value\":");
            w.number(c.value);
            w.raw("}");
            w.end();
        }
    }
    if (const auto &cycle = timeline.deadlock(); cycle && !cycle->lanes.empty()) {
        Json names = Json::array();
        for (std::size_t i = 0; i < cycle->lanes.size(); ++i) {
            const LaneId lane = cycle->lanes[i];
            names.push_back(lane < timeline.lanes().size() ? timeline.lanes()[lane].name
                                                           : "lane " + std::to_string(lane));
            names.push_back(timeline.resource_name(cycle->resources[i]));
        }
        w.begin("i", cycle->lanes.front() + std::size_t(1), cycle->tNs, "g");
        w.raw(",\"name\":\"deadlock\",\"cat\":\"deadlock\",\"args\":{\"cycle\":");
        w.raw(names.dump(-1, ' ', false, Json::error_handler_t::replace));
        w.raw("}");
        w.end();
    }
    write_flows(w, timeline, first);
    w.raw("\n],\n\"displayTimeUnit\":\"ns\",\n\"metadata\":");
    w.raw(metadata(timeline, info, offset).dump(-1, ' ', false, Json::error_handler_t::replace));
    w.raw("}\n");
    w.flush();
    out.flush();
    return bool(out);
}

} // namespace il
