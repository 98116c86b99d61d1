#include "tracebuild.h"

#include "traceevent.h"
#include "tracereader.h"
#include "tracewriter.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <unordered_map>

namespace il::trace {
namespace {

// Resource ids are 16 bits and the last one stands for dropped detail.
constexpr std::size_t kMaxResources = Timeline::kDroppedDetail;

// Interleave's own metadata, checked field by field.
struct Native {
    std::int64_t offsetNs = 0;
    std::int64_t endNs = 0;
    std::uint64_t dropped = 0;
    std::vector<std::string> resources;
    std::optional<DeadlockCycle> deadlock;
};

bool expect(const Json &md, const char *key, bool ok, const char *what, std::string &why)
{
    if (ok)
        return true;
    const auto it = md.find(key);
    why = std::string("metadata.") + key + ": expected " + what + ", found " +
          (it == md.end() ? "nothing" : it->type_name());
    return false;
}

bool read_native(const Json &md, const TraceLimits &limits, Native &n, RunInfo &info,
                 std::string &why)
{
    const Json &il = md["interleave"];
    if (!il.is_object() || !il.contains("format") || !il["format"].is_number_integer() ||
        !il.contains("ts_offset_ns") || !il["ts_offset_ns"].is_number_integer()) {
        why = "metadata.interleave: expected an object with a whole \"format\" and "
              "\"ts_offset_ns\"";
        return false;
    }
    if (il["format"] != kTraceFormat) {
        why = "metadata.interleave.format is " + il["format"].dump() +
              "; this Interleave reads format " + std::to_string(kTraceFormat);
        return false;
    }
    n.offsetNs = il["ts_offset_ns"].get<std::int64_t>();
    const auto has = [&](const char *k, bool (Json::*is)() const noexcept) {
        return md.contains(k) && (md[k].*is)();
    };
    if (!expect(md, "scenario", has("scenario", &Json::is_string), "a string", why) ||
        !expect(md, "params", has("params", &Json::is_object), "an object", why) ||
        !expect(md, "seed", has("seed", &Json::is_number_unsigned), "a whole number >= 0", why) ||
        !expect(md, "resources", has("resources", &Json::is_array), "an array", why) ||
        !expect(md, "end_ns", has("end_ns", &Json::is_number_integer), "a whole number", why) ||
        !expect(md, "dropped_events", has("dropped_events", &Json::is_number_unsigned),
                "a whole number >= 0", why) ||
        !expect(md, "stats", has("stats", &Json::is_object), "an object", why))
        return false;
    info.scenario = md["scenario"].get<std::string>();
    info.seed = md["seed"].get<std::uint64_t>();
    info.stats = md["stats"];
    for (const auto &item : md["params"].items()) {
        if (!item.value().is_number_integer()) {
            why = "metadata.params." + item.key() + ": expected a whole number";
            return false;
        }
        info.params[item.key()] = item.value().get<std::int64_t>();
    }
    for (const Json &r : md["resources"]) {
        if (!r.is_string() || n.resources.size() >= limits.maxLabels) {
            why = "metadata.resources: expected at most " + std::to_string(limits.maxLabels) +
                  " strings";
            return false;
        }
        n.resources.push_back(cut_name(r.get<std::string>(), limits.maxNameBytes));
    }
    if (n.resources.empty())
        n.resources.emplace_back();
    if (!n.resources.front().empty()) {
        why = "metadata.resources: expected \"\" (no resource) first";
        return false;
    }
    n.endNs = md["end_ns"].get<std::int64_t>();
    n.dropped = md["dropped_events"].get<std::uint64_t>();
    const Json &dl = md.contains("deadlock") ? md["deadlock"] : Json();
    if (dl.is_object() && dl.contains("t_ns") && dl["t_ns"].is_number_integer() &&
        dl.contains("lanes") && dl["lanes"].is_array() && dl.contains("resources") &&
        dl["resources"].is_array() && dl["lanes"].size() == dl["resources"].size()) {
        DeadlockCycle c;
        c.tNs = dl["t_ns"].get<std::int64_t>();
        for (std::size_t i = 0; i < dl["lanes"].size(); ++i) {
            const Json &l = dl["lanes"][i];
            const Json &r = dl["resources"][i];
            if (!l.is_number_unsigned() || !r.is_number_unsigned() ||
                r.get<std::uint64_t>() > 0xffff)
                return expect(md, "deadlock", false, "lanes and resources as whole numbers", why);
            c.lanes.push_back(LaneId(l.get<std::uint64_t>()));
            c.resources.push_back(ResourceId(r.get<std::uint64_t>()));
        }
        n.deadlock = std::move(c);
    } else if (!dl.is_null()) {
        return expect(md, "deadlock", false, "null or {t_ns, lanes, resources}", why);
    }
    return true;
}

// Nested and overlapping slices of one thread as a flat sequence of state changes: the
// innermost open slice shows, gaps are Sleeping.
bool flatten(const RawThread &thread, const std::vector<ResourceId> &res, std::int64_t base,
             std::int64_t endNs, LaneId lane, std::size_t maxOpen, EventBuffer &out,
             std::string &why)
{
    std::vector<RawSlice> slices = thread.slices;
    std::stable_sort(slices.begin(), slices.end(), [](const RawSlice &a, const RawSlice &b) {
        return a.startNs != b.startNs ? a.startNs < b.startNs : a.endNs > b.endNs;
    });
    struct Point {
        std::int64_t t;
        bool end;
        std::uint32_t slice;
    };
    std::vector<Point> points;
    points.reserve(slices.size() * 2);
    for (std::uint32_t i = 0; i < slices.size(); ++i) {
        points.push_back({slices[i].startNs, false, i});
        points.push_back({slices[i].endNs, true, i});
    }
    std::stable_sort(points.begin(), points.end(), [](const Point &a, const Point &b) {
        return a.t != b.t ? a.t < b.t : (!a.end && b.end);
    });
    // Open slices, innermost last. An ended slice leaves when it reaches the top, so each
    // point costs O(1) amortised however the slices overlap.
    std::vector<std::uint32_t> active;
    std::vector<bool> ended(slices.size(), false);
    std::size_t open = 0;
    bool emitted = false;
    State lastState = State::Count;
    ResourceId lastRes = kNoResource;
    for (std::size_t i = 0; i < points.size();) {
        const std::int64_t t = points[i].t;
        for (; i < points.size() && points[i].t == t; ++i) {
            if (!points[i].end) {
                if (open >= maxOpen) {
                    why = "thread " + thread.tid + ": more than " + std::to_string(maxOpen) +
                          " overlapping slices";
                    return false;
                }
                active.push_back(points[i].slice);
                ++open;
            } else if (!ended[points[i].slice]) {
                ended[points[i].slice] = true;
                --open;
            }
        }
        while (!active.empty() && ended[active.back()])
            active.pop_back();
        if (active.empty() && t >= endNs)
            break; // no idle stretch of zero length at the very end
        const State st = active.empty() ? State::Sleeping : slices[active.back()].state;
        const ResourceId r = active.empty() ? kNoResource : res[slices[active.back()].label];
        if (emitted && st == lastState && r == lastRes)
            continue;
        emitted = true;
        lastState = st;
        lastRes = r;
        out.push_back(Event{t - base, 0, lane, r, EventKind::State, st});
    }
    return true;
}

// The restored timeline's times, and 0, fit in a window a little narrower than the limit:
// then the writer's offset and durations cannot overflow, and what it writes (shifted so
// that the earliest time is at 1 us) reads back within the limit.
bool times_in_range(const RawTrace &raw, bool foreign, const Native &native, std::string &why)
{
    const double limit = raw.limits.maxAbsMicros * 1000;
    const auto out = [&](std::int64_t t) { return std::fabs(double(t)) > limit; };
    const std::string most = micros_text(raw.limits.maxAbsMicros) + " microseconds";
    std::int64_t lo = 0;
    std::int64_t hi = 0;
    const auto span = [&](std::int64_t t) {
        lo = std::min(lo, t);
        hi = std::max(hi, t);
    };
    if (foreign) { // times start at the first event; both ends are within the limit
        if (raw.kept)
            span(raw.maxNs - raw.minNs);
    } else {
        if (out(native.offsetNs) || out(native.endNs) ||
            (native.deadlock && out(native.deadlock->tNs))) {
            why = "metadata: ts_offset_ns, end_ns and deadlock.t_ns must be within ±" + most +
                  " (in ns)";
            return false;
        }
        // Both sides are within the limit, so the differences cannot overflow.
        if (raw.kept && (out(raw.minNs - native.offsetNs) || out(raw.maxNs - native.offsetNs))) {
            why = "an event lies more than " + most + " from the run's start";
            return false;
        }
        if (raw.kept) {
            span(raw.minNs - native.offsetNs);
            span(raw.maxNs - native.offsetNs);
        }
        span(native.endNs);
        if (native.deadlock)
            span(native.deadlock->tNs);
    }
    if (double(hi - lo) > limit - 1000) {
        why = "the trace's times span more than " + most;
        return false;
    }
    if (hi - lo > kMaxSegmentNs) {
        why = "the trace's times span more than " + micros_text(double(kMaxSegmentNs / 1000)) +
              " microseconds (about 39 hours), the longest timeline Interleave keeps";
        return false;
    }
    return true;
}

bool deadlock_fits(const DeadlockCycle &c, std::size_t lanes, std::size_t resources,
                   std::string &why)
{
    for (std::size_t i = 0; i < c.lanes.size(); ++i) {
        if (c.lanes[i] >= lanes || c.resources[i] >= resources) {
            why = "metadata.deadlock: lane " + std::to_string(c.lanes[i]) + " or resource " +
                  std::to_string(c.resources[i]) + " is not in this trace";
            return false;
        }
    }
    return true;
}

std::string lane_name(const RawTrace &raw, const RawThread &t, bool manyProcesses)
{
    std::string name = t.name.empty() ? "thread " + t.tid : t.name;
    if (!manyProcesses)
        return name;
    const auto p = raw.processNames.find(t.pid);
    return (p != raw.processNames.end() ? p->second : "process " + t.pid) + ": " + name;
}

} // namespace

bool build(RawTrace &raw, Timeline &timeline, RunInfo &info, bool &foreign, std::string &why)
{
    const Json &md = raw.metadata;
    foreign = !(md.is_object() && md.contains("interleave"));
    Native native;
    if (!foreign && !read_native(md, raw.limits, native, info, why))
        return false;
    if (foreign && raw.threads.empty()) {
        why = "no thread has any events to show";
        return false;
    }
    if (!times_in_range(raw, foreign, native, why))
        return false;

    // Labels to resource ids: Interleave's own list first, in its order.
    Batch first;
    std::vector<std::string> resources =
        foreign ? std::vector<std::string>{std::string()} : native.resources;
    std::unordered_map<std::string, ResourceId> resourceIndex;
    for (std::size_t r = resources.size(); r-- > 0;)
        resourceIndex[resources[r]] = ResourceId(r); // the first of duplicates wins
    std::vector<ResourceId> res(raw.labels.size(), kNoResource);
    for (std::size_t l = 0; l < raw.labels.size(); ++l) {
        const std::string &name = raw.labels[l];
        if (name.empty())
            continue;
        if (!foreign && name == Timeline::kDroppedDetailLabel) {
            res[l] = Timeline::kDroppedDetail;
            continue;
        }
        const auto [it, added] = resourceIndex.try_emplace(name, ResourceId(resources.size()));
        if (added) {
            if (resources.size() >= kMaxResources) {
                why = "more than " + std::to_string(kMaxResources - 1) +
                      " distinct resources and labels";
                return false;
            }
            resources.push_back(name);
        }
        res[l] = it->second;
    }
    first.newResources.assign(resources.begin() + 1, resources.end());

    std::vector<std::size_t> order(raw.threads.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return raw.threads[a].sortIndex < raw.threads[b].sortIndex;
    });
    bool manyProcesses = false;
    for (const auto &t : raw.threads)
        manyProcesses = manyProcesses || t.pid != raw.threads.front().pid;
    for (const std::size_t i : order)
        first.newLanes.push_back(lane_name(raw, raw.threads[i], manyProcesses && foreign));
    first.droppedTotal = native.dropped;
    if (native.deadlock && !deadlock_fits(*native.deadlock, order.size(), resources.size(), why))
        return false;
    first.deadlock = native.deadlock;
    timeline.apply(first);

    // Native times are ts - ts_offset_ns; a foreign trace's first event is at 0.
    const std::int64_t base = foreign ? (raw.kept ? raw.minNs : 0) : native.offsetNs;
    const auto at = [base](std::int64_t t) { return t - base; };
    Batch batch;
    for (LaneId lane = 0; lane < order.size(); ++lane) {
        RawThread &thread = raw.threads[order[lane]];
        for (RawSlice &open : thread.open) { // B without E: it lasts to the thread's end
            open.endNs = std::max(open.startNs, raw.maxNs);
            thread.slices.push_back(open);
        }
        batch.events.reset();
        if (foreign) {
            if (!flatten(thread, res, base, raw.maxNs, lane, raw.limits.maxOpenSlices, batch.events,
                         why))
                return false;
        } else {
            std::stable_sort(
                thread.slices.begin(), thread.slices.end(),
                [](const RawSlice &a, const RawSlice &b) { return a.startNs < b.startNs; });
            for (const RawSlice &s : thread.slices)
                batch.events.push_back(
                    Event{at(s.startNs), 0, lane, res[s.label], EventKind::State, s.state});
        }
        std::stable_sort(thread.marks.begin(), thread.marks.end(),
                         [](const RawMark &a, const RawMark &b) { return a.tNs < b.tNs; });
        for (const RawMark &m : thread.marks)
            batch.events.push_back(
                Event{at(m.tNs), m.code, lane, res[m.label], EventKind::Mark, State::Running});
        std::stable_sort(thread.holds.begin(), thread.holds.end(),
                         [](const RawHold &a, const RawHold &b) { return a.tNs < b.tNs; });
        for (const RawHold &h : thread.holds)
            batch.events.push_back(Event{at(h.tNs), 0, lane, res[h.label],
                                         h.acquired ? EventKind::Acquire : EventKind::Release,
                                         State::Running});
        thread = RawThread{}; // give its memory back before the next lane
        timeline.apply(batch);
    }
    batch.events.reset();
    if (!order.empty()) {
        std::stable_sort(raw.counters.begin(), raw.counters.end(),
                         [](const RawCounter &a, const RawCounter &b) { return a.tNs < b.tNs; });
        for (const RawCounter &c : raw.counters)
            batch.events.push_back(
                Event{at(c.tNs), c.value, 0, res[c.label], EventKind::Counter, State::Running});
        timeline.apply(batch);
    }
    const std::int64_t endNs = foreign ? (raw.kept ? raw.maxNs - base : 0) : native.endNs;
    timeline.close(endNs);

    if (foreign) {
        info = RunInfo{};
        info.stats = Json{{"scenario", nullptr},
                          {"params", Json::object()},
                          {"seed", nullptr},
                          {"completed", true},
                          {"stopped_by", "finished"},
                          {"duration_ms", double(endNs) / 1e6},
                          {"lanes", timeline.lanes().size()},
                          {"events", raw.kept},
                          {"dropped_events", 0},
                          {"discarded_events", 0},
                          {"deadlock", nullptr},
                          {"metrics", Json::object()},
                          {"source", "a trace written by another tool"}};
    }
    return true;
}

} // namespace il::trace
